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
// better-sqlite3 stays outside (a native addon); so do modules loaded through createRequire.
import { chmodSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// outputs of earlier layouts (the split ES module bundle) and a cache made for another bundle
rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/strata.cjs.v8cache', { force: true });

// undici's cookie helpers read `globalThis.Headers` as undici loads, and in Node 20 that global is a
// lazy getter that loads and compiles Node's own copy of undici: 15-20 ms of every registry command
// (pull, push, login, a build that pulls its base), for a brand check of cookie helpers strata never
// calls. The bundle checks undici's own Headers class only. If undici changes that line, the bundle
// is made as it is and says so.
const COOKIE_BRANDS = '[Headers, globalThis.Headers].filter(Boolean)';
const undiciCookies = {
  name: 'undici-cookies-own-headers',
  setup(b) {
    b.onLoad({ filter: /undici[\\/]lib[\\/]web[\\/]cookies[\\/]index\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes(COOKIE_BRANDS)) return { contents: src, loader: 'js', warnings: [{ text: `undici changed: ${COOKIE_BRANDS} not found, Node's own undici loads at start-up again` }] };
      return { contents: src.replace(COOKIE_BRANDS, '[Headers]'), loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/strata.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['better-sqlite3'],
  // import.meta does not exist in CommonJS: the one module that asks (createRequire) gets the bundle's URL
  define: { 'import.meta.url': '__strataBundleUrl' },
  banner: { js: "const __strataBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [undiciCookies],
});
copyFileSync('scripts/strata-loader.cjs', 'dist/strata-loader.cjs');
copyFileSync('scripts/strata-entry.mjs', 'dist/strata.mjs');
copyFileSync('scripts/strata', 'dist/strata');
chmodSync('dist/strata.mjs', 0o755);
chmodSync('dist/strata', 0o755);
