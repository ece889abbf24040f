// bundle-cli: after tsc, bundles the CLI (dist/src/cli/main.js and everything it imports, lazily
// loaded command groups included) into one ES module, dist/strata.mjs, which `bin` points to.
// Why: Node resolves, reads and compiles each of the ~300 modules of an unbundled start one by one;
// on this project's 2-core build hosts that was 0.3–0.4 s of every command (`strata --version`
// 0.53 s unbundled, 0.23 s bundled), a large share of a cached build or a small pull.
// better-sqlite3 stays outside (a native addon); so do modules loaded through createRequire.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/strata.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  // CommonJS dependencies (commander, undici...) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __strataCreateRequire } from 'node:module'; const require = __strataCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
