// strata's loader (copied to dist/strata-loader.cjs; dist/strata, the command, execs node on it):
// runs the CommonJS bundle dist/strata.cjs with a V8 code cache kept beside it
// (dist/strata.cjs.v8cache).
//
// Why: V8 parses and compiles the 1.35 MB bundle at every start, and again each function the command
// calls. With the code it compiled last time handed back, a fully cached `strata build` starts 65 ms
// sooner (335 -> 271 ms on a 2-core host) and `strata --version` 130 ms sooner. Node 20 has no
// compile cache for ES modules (module.enableCompileCache is 22.1+), hence a CommonJS bundle run
// through vm.Script, whose cachedData is that cache. The loader is CommonJS too: an ES module entry
// makes Node load its ES module loader first (9 ms of every start here).
//
// The cache holds the functions the commands run so far have compiled, and the names of those commands:
// it is written after the first run, after a run whose cache V8 rejected (made by another V8 version,
// other flags or other source), and after the first run of each command it has not seen, since a
// cache made by `strata push` leaves a build to compile its own functions at every start (a cached
// w2 build took 176 ms with such a cache, 143 ms with one a build had written). It is written to a
// temp name and renamed, so concurrent runs do not tear it; the names travel in the same file, so
// they always describe the code beside them. It lives only beside the bundle: whoever can write
// there can change the bundle itself, so the cache adds no one to trust. A directory we cannot write
// to just means no cache.
'use strict';
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

// dist/strata moved NODE_EXTRA_CA_CERTS aside so that Node would not parse its root store at start-up
// (src/util/tls-trust.ts trusts the file when a TLS connection is made). Programs strata starts, such
// as credential helpers, get the variable back as the user set it.
if (process.env.STRATA_EXTRA_CA_CERTS && !process.env.NODE_EXTRA_CA_CERTS) process.env.NODE_EXTRA_CA_CERTS = process.env.STRATA_EXTRA_CA_CERTS;

const bundle = join(__dirname, 'strata.cjs');
const cacheFile = `${bundle}.v8cache`;

// cache file: 4-byte length N, N bytes of JSON (the commands seen), then V8's cached data
let cachedData;
let seen = [];
try {
  const file = readFileSync(cacheFile);
  const n = file.readUInt32LE(0);
  seen = JSON.parse(file.subarray(4, 4 + n).toString('utf8'));
  if (!Array.isArray(seen)) throw new Error('not a cache');
  cachedData = file.subarray(4 + n);
} catch {
  cachedData = undefined;
  seen = [];
}
// the bundle's first line is a #! line, which is not JavaScript inside a function
const source = readFileSync(bundle, 'utf8').replace(/^#!.*\n/, '\n');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cachedData && cachedData.length > 0 ? { cachedData } : {}),
});
const fresh = cachedData === undefined || cachedData.length === 0 || script.cachedDataRejected;
// at exit: the cache then holds the functions this run compiled, not only the top level
process.once('exit', () => {
  const command = String(bundleModule.exports.command ?? '');
  if (!fresh && seen.includes(command)) return;
  const names = Buffer.from(JSON.stringify(fresh ? [command] : [...seen, command]));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(names.length, 0);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([head, names, script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    rmSync(tmp, { force: true }); // an unwritable directory: run without a cache
  }
});
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, __dirname);
