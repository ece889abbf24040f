#!/usr/bin/env node
// strata's executable (copied to dist/strata.mjs by bundle-cli.mjs): runs the CommonJS bundle
// dist/strata.cjs with a V8 code cache kept beside it (dist/strata.cjs.v8cache).
//
// Why: V8 parses and compiles the 1.35 MB bundle at every start, and again each function the command
// calls. With the code it compiled last time handed back, a fully cached `strata build` starts 65 ms
// sooner (335 -> 271 ms on a 2-core host) and `strata --version` 130 ms sooner. Node 20 has no
// compile cache for ES modules (module.enableCompileCache is 22.1+), hence a CommonJS bundle run
// through vm.Script, whose cachedData is that cache.
//
// The cache is written once, after the first run whose cache was missing or rejected (V8 refuses
// one made by another V8 version, other flags or other source), to a temp name and renamed, so
// concurrent first runs do not tear it. It lives only beside the bundle: whoever can write there can
// change the bundle itself, so the cache adds no one to trust. A directory we cannot write to just
// means no cache.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const dir = dirname(fileURLToPath(import.meta.url));
const bundle = join(dir, 'strata.cjs');
const cacheFile = `${bundle}.v8cache`;

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// the bundle's first line is a #! line, which is not JavaScript inside a function
const source = readFileSync(bundle, 'utf8').replace(/^#!.*\n/, '\n');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
});
if (cachedData === undefined || script.cachedDataRejected) {
  // at exit: the cache then holds the functions this run compiled, not only the top level
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      rmSync(tmp, { force: true }); // an unwritable directory: run without a cache
    }
  });
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dir);
