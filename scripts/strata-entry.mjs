#!/usr/bin/env node
// dist/strata.mjs: strata as an ES module entry, for callers that run `node dist/strata.mjs` (the
// tests, older scripts). It only hands over to the CommonJS loader; `dist/strata`, the command
// `bin` installs, skips this step and Node's ES module loader with it.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./strata-loader.cjs');
