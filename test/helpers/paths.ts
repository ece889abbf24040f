import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** repoRoot is the project's root folder; sharedDir is ../shared beside it (read-only test data). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = process.env.STRATA_SHARED_DIR ?? resolve(repoRoot, '..', 'shared');
export const conformanceDir = join(sharedDir, 'conformance');
/** cliPath is the command as shipped (dist/strata, which `bin` points to); `npm test` builds it before vitest runs. */
export const cliPath = join(repoRoot, 'dist', 'strata');
