// bundle-cli: after tsc, bundles the CLI (dist/src/cli/main.js and everything it imports, lazily
// loaded command groups included) into one ES module, dist/strata.mjs, which `bin` points to.
// Why: Node resolves, reads and compiles each of the ~300 modules of an unbundled start one by one;
// on this project's 2-core build hosts that was 0.3–0.4 s of every command (`strata --version`
// 0.53 s unbundled, 0.23 s bundled), a large share of a cached build or a small pull. Split into
// chunks, a cached `strata build` compiles 32 small chunks instead of the whole 1.35 MB (undici
// and the registry code are not among them): 0.53 s instead of 0.59 s for a cached w4 build.
// better-sqlite3 stays outside (a native addon); so do modules loaded through createRequire.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// chunk names carry content hashes: the chunks of an earlier build would pile up
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: ['dist/src/cli/main.js'],
  // Command groups are loaded with import(): split into chunks, a command compiles only its own code.
  outdir: 'dist',
  entryNames: 'strata',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
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
