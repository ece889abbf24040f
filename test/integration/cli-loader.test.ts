import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

/**
 * The shipped command (dist/strata, a shell script) runs the loader (dist/strata-loader.cjs), which
 * runs the bundle with a V8 code cache kept beside it. These run a copy of the set in its own folder
 * under dist/ (so that better-sqlite3 still resolves from the project's node_modules, and the other
 * tests' cache is left alone).
 */
describe('CLI loader and its code cache', () => {
  let dir: string;
  let loader: string;
  let cache: string;
  beforeAll(() => {
    dir = mkdtempSync(join(repoRoot, 'dist', 'loader-test-'));
    copyFileSync(join(repoRoot, 'dist', 'strata.cjs'), join(dir, 'strata.cjs'));
    for (const f of ['strata-loader.cjs', 'strata.mjs', 'strata']) copyFileSync(join(repoRoot, 'dist', f), join(dir, f));
    loader = join(dir, 'strata');
    cache = join(dir, 'strata.cjs.v8cache');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(loader, args, { encoding: 'utf8' });

  it('writes the cache after the first run, reuses it untouched, and replaces one V8 rejects', () => {
    expect(existsSync(cache)).toBe(false);
    const first = run('--version');
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe('0.1.0');
    const made = statSync(cache);
    expect(made.size).toBeGreaterThan(10_000);

    const again = run('--version');
    expect(again.stdout.trim()).toBe('0.1.0');
    const kept = statSync(cache);
    expect(kept.ino).toBe(made.ino); // accepted: not written again
    expect(kept.mtimeMs).toBe(made.mtimeMs);

    writeFileSync(cache, Buffer.alloc(4096, 7)); // garbage V8 refuses
    const afterGarbage = run('--version');
    expect(afterGarbage.status).toBe(0);
    expect(afterGarbage.stdout.trim()).toBe('0.1.0');
    const rewritten = readFileSync(cache);
    expect(rewritten.length).toBeGreaterThan(10_000);
    expect(rewritten.subarray(0, 64).equals(Buffer.alloc(64, 7))).toBe(false);
  });

  it('adds the functions of each command it has not seen yet to the cache, once', () => {
    const header = () => {
      const f = readFileSync(cache);
      return JSON.parse(f.subarray(4, 4 + f.readUInt32LE(0)).toString('utf8')) as string[];
    };
    expect(run('--version').status).toBe(0);
    const before = statSync(cache);
    const seen = header();
    expect(seen).toContain('');
    // `images` runs code --version never did: the cache is written again, with its name
    expect(run('--root', join(dir, 'store'), 'images').status).toBe(0);
    const withImages = statSync(cache);
    expect(withImages.ino).not.toBe(before.ino);
    expect(withImages.size).toBeGreaterThan(before.size);
    expect(header()).toEqual([...seen, 'images']);
    // seen now: left alone
    expect(run('--root', join(dir, 'store'), 'images').status).toBe(0);
    expect(statSync(cache).ino).toBe(withImages.ino);
    expect(run('--version').status).toBe(0);
    expect(statSync(cache).ino).toBe(withImages.ino);
  });

  it('keeps the CLI behaviour: an unknown command fails with one line and exit 1, no stack trace', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('hands NODE_EXTRA_CA_CERTS over instead of letting Node parse its root store at start-up', () => {
    // Node reads NODE_EXTRA_CA_CERTS as it starts and warns when the file is missing: the warning is
    // how a test can tell whether Node saw the variable. The command hands it to strata instead
    // (util/tls-trust.ts reads it when a TLS connection is made), so --version prints nothing else.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'no-such-ca.pem') };
    const direct = spawnSync(process.execPath, [join(dir, 'strata.mjs'), '--version'], { encoding: 'utf8', env });
    expect(direct.stdout.trim()).toBe('0.1.0');
    expect(direct.stderr).toMatch(/Ignoring extra certs/);
    const viaCommand = spawnSync(loader, ['--version'], { encoding: 'utf8', env });
    expect(viaCommand.status).toBe(0);
    expect(viaCommand.stdout.trim()).toBe('0.1.0');
    expect(viaCommand.stderr).toBe('');
  });

  it('opens the store with better-sqlite3 bundled and its addon loaded by path, not searched for by `bindings`', () => {
    // a preloaded probe lists every module Node loaded from disk as the command exits
    const probe = join(dir, 'probe.cjs');
    const list = join(dir, 'modules.json');
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const root = mkdtempSync(join(tmpdir(), 'strata-loader-store-'));
    try {
      const r = spawnSync(loader, ['--root', root, 'images'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${probe}` } });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^REPOSITORY\s+TAG/);
      const loaded = JSON.parse(readFileSync(list, 'utf8')) as string[];
      expect(loaded.filter((m) => m.endsWith('better_sqlite3.node'))).toHaveLength(1);
      expect(loaded.filter((m) => m.includes('/node_modules/'))).toEqual(loaded.filter((m) => m.endsWith('better_sqlite3.node')));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs through a symbolic link, as npm links the command into a bin folder', () => {
    const bin = mkdtempSync(join(tmpdir(), 'strata-bin-'));
    try {
      symlinkSync(loader, join(bin, 'strata'));
      const r = spawnSync(join(bin, 'strata'), ['--version'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('0.1.0');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
