import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { cliPath } from '../helpers/paths.js';
import { makeTestImage } from '../helpers/registry-image.js';
import { startRegistry, TEST_PASSWORD, TEST_USER, type TestRegistry } from '../helpers/registry-server.js';

interface Run { code: number; stdout: string; stderr: string }

/** strata runs the compiled CLI with its own DOCKER_CONFIG and store root. */
function strata(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(cliPath, [...args], { env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

describe('strata login/logout/push/pull/search (CLI, real registry)', () => {
  let reg: TestRegistry;
  let open: TestRegistry;
  let dir: string;
  let env: Record<string, string>;
  let rootA: string;
  let rootB: string;
  let ref: string;
  let local: { id: string; manifestDigest: string; layers: string[] };
  beforeAll(async () => {
    [reg, open] = await Promise.all([startRegistry('basic'), startRegistry('none')]);
    dir = mkdtempSync(join(tmpdir(), 'strata-cli-'));
    rootA = join(dir, 'storeA');
    rootB = join(dir, 'storeB');
    env = { DOCKER_CONFIG: join(dir, 'docker'), STRATA_ROOT: rootA };
    ref = `${reg.host}/team/app`;
    const store = openStore(rootA);
    try {
      local = await makeTestImage(store, `${ref}:latest`, { layers: 2 });
      await makeTestImage(store, `${open.host}/lib/searchable-thing:1`, { layers: 1 });
      await makeTestImage(store, `${open.host}/lib/other:1`, { layers: 1 });
    } finally {
      store.close();
    }
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), open?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('login refuses a wrong password in one line and stores nothing', async () => {
    const r = await strata(['login', '-u', TEST_USER, '--password-stdin', reg.host], env, 'nope\n');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^error: login to ${reg.host}: unauthorized`));
    expect(existsSync(join(dir, 'docker', 'config.json'))).toBe(false);
  });

  it('push without credentials fails with 401 naming the reference', async () => {
    const r = await strata(['push', ref], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: ${ref}:latest: unauthorized`));
  });

  it('login with -p warns, never prints the password, writes config.json 0600', async () => {
    const r = await strata(['login', '-u', TEST_USER, '-p', TEST_PASSWORD, reg.host], env);
    expect(r.stderr).toContain('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
    expect(r.stdout).toContain('Login Succeeded');
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TEST_PASSWORD);
    const path = join(dir, 'docker', 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(readFileSync(path, 'utf8'));
    expect(Buffer.from(cfg.auths[reg.host].auth, 'base64').toString()).toBe(`${TEST_USER}:${TEST_PASSWORD}`);
    const again = await strata(['login', '-u', TEST_USER, '--password-stdin', reg.host], env, `${TEST_PASSWORD}\n`);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('WARNING');
  });

  it('push prints Docker\'s lines and the manifest digest; pull into another store keeps it', async () => {
    const push = await strata(['push', ref], env);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const lines = push.stdout.trim().split('\n');
    expect(lines[0]).toBe('Using default tag: latest');
    expect(lines[1]).toBe(`The push refers to repository [${ref}]`);
    for (const l of local.layers) expect(lines).toContain(`${l.slice(7, 19)}: Pushed`);
    const size = readFileSync(join(rootA, 'blobs', 'sha256', local.manifestDigest.slice(7))).length;
    expect(lines.at(-1)).toBe(`latest: digest: ${local.manifestDigest} size: ${size}`);

    const envB = { ...env, STRATA_ROOT: rootB };
    const pull = await strata(['pull', ref], envB);
    expect(pull.code).toBe(0);
    const out = pull.stdout.trim().split('\n');
    expect(out[0]).toBe('Using default tag: latest');
    expect(out[1]).toBe('latest: Pulling from team/app');
    for (const l of local.layers) expect(out).toContain(`${l.slice(7, 19)}: Pull complete`);
    expect(out).toContain(`Digest: ${local.manifestDigest}`);
    expect(out).toContain(`Status: Downloaded newer image for ${ref}:latest`);
    expect(out.at(-1)).toBe(`${ref}:latest`);
    const again = await strata(['pull', `${ref}:latest`], envB);
    expect(again.stdout).toContain(`Status: Image is up to date for ${ref}:latest`);
    const quiet = await strata(['pull', '-q', `${ref}@${local.manifestDigest}`], envB);
    expect(quiet.stdout).toBe(`${ref}@${local.manifestDigest}\n`);
    const store = openStore(rootB);
    try {
      expect(store.images.getImage(local.id as never)?.manifestDigest).toBe(local.manifestDigest);
    } finally {
      store.close();
    }
  });

  it('--debug shows the HTTP exchanges without credentials', async () => {
    const r = await strata(['--debug', 'push', '-q', ref], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${ref}:latest\n`);
    expect(r.stderr).toMatch(/DEBUG > HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/team\/app\/blobs\/sha256:/);
    expect(r.stderr).toContain('authorization: Basic <redacted>');
    expect(r.stderr).not.toContain(TEST_PASSWORD);
    expect(r.stderr).not.toContain(Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64'));
  });

  it('push -a pushes every local tag of the repository, pull -a fetches them all', async () => {
    const store = openStore(rootA);
    try {
      store.images.setTag(`${ref}:v2`, local.id as never);
      await makeTestImage(store, `${ref}:v3`, { layers: 1, seed: 'v3' });
    } finally {
      store.close();
    }
    const push = await strata(['push', '-a', ref], env);
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/^latest: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(push.stdout).toMatch(/^v2: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(push.stdout).toMatch(/^v3: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    const rootC = join(dir, 'storeC');
    const pull = await strata(['pull', '-a', ref], { ...env, STRATA_ROOT: rootC });
    expect(pull.code).toBe(0);
    expect(pull.stdout.trim().split('\n').at(-1)).toBe(ref);
    const c = openStore(rootC);
    try {
      expect(c.images.listTags().map((t) => t.ref).sort()).toEqual([`${ref}:latest`, `${ref}:v2`, `${ref}:v3`]);
      expect(c.images.getTag(`${ref}:v2`)?.imageId).toBe(local.id);
    } finally {
      c.close();
    }
    const bad = await strata(['pull', '-a', `${ref}:v2`], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("error: tag can't be used with --all-tags/-a\n");
  });

  it('logout removes the credentials', async () => {
    const r = await strata(['logout', reg.host], env);
    expect(r.stdout).toBe(`Removing login credentials for ${reg.host}\n`);
    const cfg = JSON.parse(readFileSync(join(dir, 'docker', 'config.json'), 'utf8'));
    expect(cfg.auths[reg.host]).toBeUndefined();
    expect((await strata(['logout', reg.host], env)).stdout).toBe(`Not logged in to ${reg.host}\n`);
  });

  it('search HOST/TERM lists matching repositories of the catalog', async () => {
    for (const r of ['lib/searchable-thing:1', 'lib/other:1']) expect((await strata(['push', '-q', `${open.host}/${r}`], env)).code).toBe(0);
    const r = await strata(['search', `${open.host}/search`], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([`${open.host}/lib/searchable-thing`]);
    const f = await strata(['search', '--format', '{{.Name}}', `${open.host}/lib`], env);
    expect(f.stdout).toBe(`${open.host}/lib/other\n${open.host}/lib/searchable-thing\n`);
    const bad = await strata(['search', '--limit', '101', `${open.host}/lib`], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: invalid limit 101: must be between 1 and 100\n$/);
  });

  it('search TERM uses the Docker Hub search API (a local stand-in: no internet here)', async () => {
    const seen: string[] = [];
    const hub = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        num_results: 3,
        query: 'busy',
        results: [
          { name: 'busybox', description: 'Busybox base image, the Swiss Army Knife of Embedded Linux, tiny.', star_count: 3000, is_official: true, is_automated: false },
          { name: 'someone/busy', description: 'a busy image', star_count: 12, is_official: false, is_automated: true },
          { name: 'other/busyish', description: '', star_count: 1, is_official: false, is_automated: false },
        ],
      }));
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
    const hubEnv = { ...env, STRATA_HUB_SEARCH_URL: `http://127.0.0.1:${(hub.address() as AddressInfo).port}/v1/search` };
    try {
      const r = await strata(['search', '--limit', '10', 'busy'], hubEnv);
      expect(r.code).toBe(0);
      expect(seen[0]).toBe('/v1/search?q=busy&n=10');
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
      expect(lines[1]).toMatch(/^busybox\s+Busybox base image, the Swiss Army Knife of …\s+3000\s+\[OK\]$/);
      expect(lines).toHaveLength(4);
      const full = await strata(['search', '--no-trunc', '--filter', 'is-official=true', 'busy'], hubEnv);
      expect(full.stdout).toContain('Embedded Linux, tiny.');
      expect(full.stdout.trimEnd().split('\n')).toHaveLength(2);
      const stars = await strata(['search', '--filter', 'stars=10', '--format', '{{.Name}}: {{.StarCount}}', 'busy'], hubEnv);
      expect(stars.stdout).toBe('busybox: 3000\nsomeone/busy: 12\n');
      const bad = await strata(['search', '--filter', 'color=red', 'busy'], hubEnv);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error: invalid filter "color"/);
    } finally {
      hub.close();
    }
  });
});
