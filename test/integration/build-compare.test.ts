import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, sharedDir } from '../helpers/paths.js';

/**
 * Where a Docker daemon answers (../shared/bench/setup.sh starts one), every case under
 * test/fixtures/build/compare/ is built by `docker build` (BuildKit) and by strata, and
 * ../shared/bench/compare.sh must find the same config, layer count and file tree. Both start from
 * the daemon's own busybox:latest (saved from docker, loaded into strata's store).
 */
const docker = process.env.DOCKER ?? '/usr/bin/docker';
const compareSh = join(sharedDir, 'bench', 'compare.sh');
const daemon = existsSync(docker) && spawnSync(docker, ['info'], { stdio: 'ignore' }).status === 0;
const hasBusybox = daemon && spawnSync(docker, ['image', 'inspect', 'busybox:latest'], { stdio: 'ignore' }).status === 0;
if (!daemon || !hasBusybox) console.warn('build-compare.test.ts: no Docker daemon with busybox:latest here; the docker comparison is SKIPPED');

const casesDir = join(repoRoot, 'test', 'fixtures', 'build', 'compare');
const cases = readdirSync(casesDir);
let dir = '';
let strata = '';

describe.skipIf(!daemon || !hasBusybox || !existsSync(compareSh))('compare.sh against docker build', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-compare-'));
    const root = join(dir, 'store');
    execFileSync(docker, ['save', '-o', join(dir, 'busybox.tar'), 'busybox:latest']);
    execFileSync(cliPath, ['--root', root, 'load', '-i', join(dir, 'busybox.tar')]);
    strata = `${cliPath} --root ${root}`;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(cases)('%s builds the same image as docker build', (name) => {
    const ctx = join(casesDir, name);
    const flagsFile = join(ctx, 'flags');
    const flags = existsSync(flagsFile) ? readFileSync(flagsFile, 'utf8').trim().split(/\s+/) : [];
    const r = spawnSync('bash', [compareSh, ctx, ...flags], { env: { ...process.env, STRATA: strata, DOCKER: docker }, encoding: 'utf8', timeout: 170_000 });
    expect(`${r.stdout}${r.stderr}`).toContain('same: config, layers and file tree match docker build');
    expect(r.status).toBe(0);
  });
});
