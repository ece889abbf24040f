import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { files, imageConfig, imageTree, importBusybox, run, sandbox, statuses, type Sandbox } from './build-helpers.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('build-run.test.ts: RUN needs root for the chroot runner; these tests are SKIPPED');

let sb: Sandbox;
beforeEach(async () => {
  sb = await sandbox();
  await importBusybox(sb.store);
});
afterEach(async () => {
  await sb.close();
});

describe.skipIf(!isRoot)('RUN steps (chroot runner, snapshots)', () => {
  it('runs shell and exec forms with ENV, ARG, USER and WORKDIR, and COPY --from a stage', async () => {
    await files(sb.ctx, { 'in.txt': 'input' });
    const df = [
      'FROM busybox AS gen',
      'ARG GREETING=hello',
      'ENV TARGET=world',
      'WORKDIR /work',
      'RUN echo "$GREETING $TARGET from $(pwd)" > out.txt',
      'RUN ["/bin/sh", "-c", "id -u > uid.txt"]',
      'FROM busybox',
      'COPY --from=gen /work/ /from-gen/',
      'COPY in.txt /in.txt',
      'USER nobody',
      'RUN id -u > /tmp/who',
    ].join('\n');
    const r = await run(sb, df, { buildArgs: { GREETING: 'hi' } });
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/from-gen/out.txt')?.content).toBe('hi world from /work\n');
    expect(tree.get('/from-gen/uid.txt')?.content).toBe('0\n');
    expect(tree.get('/tmp/who')?.content).toBe('65534\n');
    const cfg = await imageConfig(sb.store, r.imageId);
    expect(cfg.history?.at(-1)?.created_by).toBe('RUN /bin/sh -c id -u > /tmp/who # buildkit');
  });

  it('runs a step that copies from a finished stage while a stage it does not read is still running', async () => {
    // The slow stage's RUN blocks on an HTTP answer that the test gives only once the final stage's
    // COPY --from=fast is done: a final stage that waited for all the stages it reads before its
    // first step would never get there (the gate opens by itself after 30 s, and the test fails).
    let openedBy: 'event' | 'timeout' | undefined;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fallback = setTimeout(() => {
      openedBy ??= 'timeout';
      open();
    }, 30_000);
    const server = createServer((_req, res) => void gate.then(() => res.end('go\n')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const df = [
        'FROM busybox AS slow',
        `RUN wget -q -O /got http://127.0.0.1:${port}/`,
        'FROM busybox AS fast',
        'RUN echo fast > /fast',
        'FROM busybox',
        'COPY --from=fast /fast /fast',
        'COPY --from=slow /got /got',
      ].join('\n');
      const order: string[] = [];
      const r = await run(sb, df, {
        onEvent: (e) => {
          if (e.type !== 'step' || e.status !== 'done') return;
          order.push(e.name);
          if (e.name.includes('COPY --from=fast')) {
            openedBy ??= 'event';
            open();
          }
        },
      });
      expect(openedBy).toBe('event');
      expect(order.findIndex((n) => n.includes('COPY --from=fast'))).toBeLessThan(order.findIndex((n) => n.includes('RUN wget')));
      const tree = await imageTree(sb.store, r.imageId);
      expect(tree.get('/got')?.content).toBe('go\n');
      expect(tree.get('/fast')?.content).toBe('fast\n');
    } finally {
      clearTimeout(fallback);
      server.close();
    }
  }, 60_000);

  it('builds a step that two stages share once: the second stage takes the first one\'s result', async () => {
    // Both builder stages begin with the same three steps (same keys). The RUN fetches from a server
    // that counts its requests: built twice, it would be asked twice.
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end(`answer ${requests}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const prefix = ['FROM busybox', 'WORKDIR /w', `RUN wget -q -O /w/got http://127.0.0.1:${port}/`];
      const df = [
        `${prefix[0]} AS one`,
        ...prefix.slice(1),
        'RUN echo one > /w/name',
        `${prefix[0]} AS two`,
        ...prefix.slice(1),
        'RUN echo two > /w/name',
        'FROM busybox',
        'COPY --from=one /w /one',
        'COPY --from=two /w /two',
      ].join('\n');
      const r = await run(sb, df);
      expect(requests).toBe(1);
      const tree = await imageTree(sb.store, r.imageId);
      expect(tree.get('/one/got')?.content).toBe('answer 1\n');
      expect(tree.get('/two/got')?.content).toBe('answer 1\n');
      expect(tree.get('/one/name')?.content).toBe('one\n');
      expect(tree.get('/two/name')?.content).toBe('two\n');
      const fetches = r.steps.filter((s) => s.name.includes('RUN wget'));
      expect(fetches.map((s) => s.status).sort()).toEqual(['built', 'cached']);
      expect(fetches[0]!.layer?.digest).toBe(fetches[1]!.layer?.digest);
      // within one build --no-cache still builds a shared step once, as BuildKit does
      const again = await run(sb, df, { noCache: true });
      expect(requests).toBe(2);
      expect(again.steps.filter((s) => s.name.includes('RUN wget')).map((s) => s.status).sort()).toEqual(['built', 'cached']);
    } finally {
      server.close();
    }
  });

  it('exports the image files with --output type=local and type=tar', async () => {
    await files(sb.ctx, { 'f.txt': 'file' });
    const local = join(sb.dir, 'out-dir');
    const tarFile = join(sb.dir, 'out.tar');
    await run(sb, 'FROM busybox\nCOPY f.txt /f.txt\nRUN echo made > /made\n', { outputs: [{ type: 'local', dest: local }, { type: 'tar', dest: tarFile }] });
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(local, 'f.txt'), 'utf8')).toBe('file');
    expect(await readFile(join(local, 'made'), 'utf8')).toBe('made\n');
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('tar', ['-tf', tarFile]).toString()).toContain('./bin/busybox');
  });

  it('gives RUN only a loopback interface with --network none (RUN --network wins over it)', async () => {
    const df = 'FROM busybox\nRUN ip -o link | wc -l > /n-build\nRUN --network=host ip -o link | wc -l > /n-host\n';
    const r = await run(sb, df, { network: 'none' });
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/n-build')?.content?.trim()).toBe('1');
    expect(Number(tree.get('/n-host')?.content?.trim())).toBeGreaterThan(1);
  });

  it('fails with the exit code and the last lines of output, and leaves no mount behind', async () => {
    await expect(run(sb, 'FROM busybox\nRUN echo first; echo second >&2; exit 3\n')).rejects.toMatchObject({
      code: 'RUN_FAILED',
      message: expect.stringContaining('RUN exited with code 3\n  first\n  second') as unknown as string,
    });
    const { readFile } = await import('node:fs/promises');
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain('strata-');
  });

  it('resolves --chown against users a RUN step created, also when the RUN step is cached', async () => {
    await files(sb.ctx, { 'conf/a.conf': 'a' });
    const df = ['FROM busybox', 'RUN echo "app:x:10001:10001::/:/bin/sh" >> /etc/passwd && echo "app:x:10001:" >> /etc/group', 'WORKDIR /srv', 'COPY --chown=app:app conf/ ./conf/'].join('\n');
    await run(sb, df);
    await writeFile(join(sb.ctx, 'conf/a.conf'), 'changed');
    const r = await run(sb, df);
    expect(statuses(r)).toMatchObject({ 'WORKDIR /srv': 'cached', 'COPY --chown=app:app conf/ ./conf/': 'built' });
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/srv/conf/a.conf')).toMatchObject({ uid: 10001, gid: 10001, content: 'changed' });
  });

  it('resolves a COPY destination through what a RUN step linked and deleted (indexed from its diff, not its tar)', async () => {
    await files(sb.ctx, { 'f.txt': 'f' });
    // /opt/link → /opt/real (a link the RUN made); /etc/network was in the base and the RUN removed it.
    const df = [
      'FROM busybox',
      'RUN mkdir -p /opt/real && chmod 0700 /opt/real && ln -s /opt/real /opt/link && mkdir -p /etc/network && rm -rf /etc/network',
      'COPY f.txt /opt/link/',
      'COPY f.txt /etc/network/sub/',
    ].join('\n');
    const r = await run(sb, df);
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/opt/real/f.txt')).toMatchObject({ content: 'f' });
    expect(tree.get('/opt/link')).toMatchObject({ type: 'symlink' });
    expect(tree.get('/etc/network/sub/f.txt')).toMatchObject({ content: 'f' });
    expect(tree.get('/etc/network')).toMatchObject({ type: 'directory', mode: 0o755 });
    // the base layer's index is kept in the store once its snapshot was unpacked
    const base = sb.store.images.listLayers()[0]!;
    expect(sb.store.images.getLayerIndex(base.diffID)).toMatchObject({ entries: expect.arrayContaining([expect.arrayContaining(['etc', 'dir'])]) });
  });
});
