// bundle-cli: after tsc, bundles the CLI (dist/src/cli/main.js and everything it imports, lazily
// loaded command groups included) into one CommonJS file, dist/strata.cjs, and installs beside it
// its loader (scripts/strata-loader.cjs), the command `bin` points to (scripts/strata, a shell
// script that runs the loader) and an ES module entry for `node dist/strata.mjs`
// (scripts/strata-entry.mjs).
// Why one bundle: Node resolves, reads and compiles each of the ~300 modules of an unbundled start
// one by one; on this project's 2-core build hosts that was 0.3–0.4 s of every command (`strata
// --version` 0.53 s unbundled, 0.23 s bundled), a large share of a cached build or a small pull.
// Why CommonJS: the loader runs it with a V8 code cache, which Node 20 offers for scripts only (see
// the loader). That beat splitting the ES module bundle into per-command chunks (a cached w2 build:
// 271 ms with the cache, 335 ms split, 350 ms whole).
// better-sqlite3's addon (native code) is loaded from node_modules by path (src/store/sqlite.ts), and
// so are modules loaded through createRequire.
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

// outputs of earlier layouts (the split ES module bundle) and a cache made for another bundle
rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/strata.cjs.v8cache', { force: true });

// `undici` is the slice of it strata uses (scripts/undici-slim.cjs says why)
const undiciSlim = {
  name: 'undici-slim',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: resolve('scripts/undici-slim.cjs') }));
  },
};

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/strata.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // better-sqlite3's JavaScript is bundled; its addon is loaded by path (src/store/sqlite.ts), so the
  // `bindings` package that would otherwise search for it stays outside, for the fallback only
  external: ['bindings'],
  // import.meta does not exist in CommonJS: the one module that asks (createRequire) gets the bundle's URL
  define: { 'import.meta.url': '__strataBundleUrl' },
  banner: { js: "const __strataBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [undiciSlim],
});
copyFileSync('scripts/strata-loader.cjs', 'dist/strata-loader.cjs');
copyFileSync('scripts/strata-entry.mjs', 'dist/strata.mjs');
copyFileSync('scripts/strata', 'dist/strata');
chmodSync('dist/strata.mjs', 0o755);
chmodSync('dist/strata', 0o755);
