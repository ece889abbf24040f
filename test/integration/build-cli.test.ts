import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strata, strataOk } from '../helpers/strata-cli.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { files } from './build-helpers.js';

let dir = '';
let root = '';
let ctx = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-build-cli-'));
  root = join(dir, 'store');
  ctx = join(dir, 'ctx');
  await files(ctx, { 'a.txt': 'a', 'Dockerfile': 'FROM scratch\nCOPY a.txt /a.txt\nCMD ["/a"]\n' });
  strataOk(root, ['import', busyboxRootfsTar(), 'busybox:latest']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('strata build (CLI)', () => {
  it('tags, writes --iidfile, prints only the ID with -q, and plain progress with a summary', async () => {
    const iid = join(dir, 'iid');
    const q = strataOk(root, ['build', '-q', '-t', 'app:1', '-t', 'app:latest', '--iidfile', iid, ctx]);
    expect(q.trim()).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect((await readFile(iid, 'utf8')).trim()).toBe(q.trim());
    expect(strataOk(root, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).toContain('app:1');
    const plain = strata(root, ['build', '--progress=plain', '-t', 'app:1', ctx]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('#2 [2/2] COPY a.txt /a.txt\n#2 CACHED');
    expect(plain.stderr).toMatch(/=> built 2 steps \(1 cached\) in [0-9.]+s, image sha256:[a-f0-9]{64}/);
  });

  it('emits one JSON event per line with --progress=rawjson', () => {
    const r = strata(root, ['build', '--progress=rawjson', ctx]);
    expect(r.code).toBe(0);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status: string });
    expect(events[0]).toMatchObject({ type: 'build', status: 'started' });
    expect(events.at(-1)).toMatchObject({ type: 'build', status: 'done' });
    expect(events.some((e) => e.type === 'step' && e.status === 'cached')).toBe(true);
  });

  it('reads a Dockerfile from stdin with no context, and a context tar from stdin', () => {
    const r = strata(root, ['build', '-q', '-'], { input: 'FROM busybox\nENV FROM_STDIN=1\n' });
    expect(r.code, r.stderr).toBe(0);
    const inspect = JSON.parse(strataOk(root, ['inspect', r.stdout.trim()])) as { Config: { Env: string[] } }[];
    expect(inspect[0]!.Config.Env).toContain('FROM_STDIN=1');
    const tarred = execFileSync('tar', ['-C', ctx, '-c', 'a.txt', 'Dockerfile']);
    const t = strata(root, ['build', '-q', '-'], { input: tarred });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.trim()).toBe(strataOk(root, ['build', '-q', ctx]).trim());
  });

  it('fails with a located error, a non-zero exit, and no tag moved', async () => {
    const before = strataOk(root, ['images', '-q', 'app:1']).trim();
    await writeFile(join(ctx, 'Dockerfile.missing'), 'FROM scratch\nENV A=1\nCOPY missing.txt /x\n');
    const r = strata(root, ['build', '-f', join(ctx, 'Dockerfile.missing'), '-t', 'app:1', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Dockerfile.missing:3');
    expect(r.stderr).toContain('3 | COPY missing.txt /x');
    expect(r.stderr).toContain('"/missing.txt": not found');
    expect(r.stderr).not.toContain('    at ');
    expect(strataOk(root, ['images', '-q', 'app:1']).trim()).toBe(before);

    await writeFile(join(ctx, 'Dockerfile.noimage'), 'FROM nosuchimage:1\n');
    const n = strata(root, ['build', '-f', join(ctx, 'Dockerfile.noimage'), ctx]);
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('Dockerfile.noimage:1');
    expect(n.stderr).toContain('No such image');

    await writeFile(join(ctx, 'Dockerfile.user'), 'FROM busybox\nCOPY --chown=ghost a.txt /a\n');
    const u = strata(root, ['build', '-f', join(ctx, 'Dockerfile.user'), ctx]);
    expect(u.code).toBe(1);
    expect(u.stderr).toContain('Dockerfile.user:2');
    expect(u.stderr).toContain('unable to find user ghost');

    const t = strata(root, ['build', '--target', 'nope', ctx]);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('target stage "nope" could not be found');
  });

  it('refuses a foreign --platform clearly', () => {
    const r = strata(root, ['build', '--platform', 'linux/s390x', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--platform linux\/s390x is not supported/);
  });

  it('writes an --output type=docker archive that load reads back', async () => {
    const out = join(dir, 'out.tar');
    strataOk(root, ['build', '--output', `type=docker,dest=${out}`, '-t', 'exported:1', ctx]);
    const listed = strataOk(root, ['load', '-i', out]);
    expect(listed).toContain('exported:1');
  });

  it('skips the cache for the stages --no-cache-filter names (repeatable) and says which flag in the miss', async () => {
    const multi = join(dir, 'multi');
    await files(multi, {
      'a.txt': 'a',
      'Dockerfile': 'FROM scratch AS one\nCOPY a.txt /1.txt\nFROM scratch AS two\nCOPY a.txt /2.txt\nFROM scratch\nCOPY --from=one /1.txt /\nCOPY --from=two /2.txt /\n',
    });
    strataOk(root, ['build', '-q', multi]);
    const r = strata(root, ['build', '--progress=plain', '--no-cache-filter', 'one', multi]);
    expect(r.code).toBe(0);
    // stages run in parallel, so a step's lines interleave with others': match them by step number
    expect(r.stderr).toMatch(/#(\d+) \[one 2\/2\] COPY a.txt \/1.txt\n(?:.*\n)*?#\1 DONE [0-9.]+s: --no-cache-filter one\n/);
    expect(r.stderr).toMatch(/#(\d+) \[two 2\/2\] COPY a.txt \/2.txt\n(?:.*\n)*?#\1 CACHED\n/);
    expect(r.stderr).toContain('rebuilt [one 2/2] COPY a.txt /1.txt: --no-cache-filter one');
    const both = strata(root, ['build', '--progress=plain', '--no-cache-filter', 'one', '--no-cache-filter', 'two', multi]);
    expect(both.code).toBe(0);
    expect(both.stderr).toContain('--no-cache-filter two');
    expect(both.stderr).toContain('--no-cache-filter one');
    // strata plan takes the same flag and predicts the same
    const plan = strataOk(root, ['plan', '--no-cache-filter', 'two', multi]);
    expect(plan).toContain('--no-cache-filter two');
    expect(plan).not.toContain('--no-cache-filter one');
  });

  it('builder prune removes cache records so the next build misses', () => {
    const pr = strataOk(root, ['builder', 'prune', '--all', '-f']);
    expect(pr).toMatch(/Deleted build cache objects: [1-9]/);
    const r = strata(root, ['build', '--progress=plain', ctx]);
    expect(r.stderr).not.toContain('CACHED');
  });
});
