import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTar } from '../helpers/tar.js';
import { files, imageConfig, imageTree, importBusybox, run, sandbox, type Sandbox } from './build-helpers.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await sandbox();
});
afterEach(async () => {
  await sb.close();
});

describe('FROM scratch: files', () => {
  it('copies files and directory contents with modes, symlinks kept, .dockerignore applied', async () => {
    await files(sb.ctx, {
      'app/main.sh': { mode: 0o755, content: 'echo hi\n' },
      'app/lib/util.sh': 'util\n',
      'app/link': { link: 'main.sh' },
      'app/debug.log': 'noise',
      'app/keep.log': 'kept',
      'app/.env': 'SECRET=1',
      'single.txt': 'one',
      '.dockerignore': '# comment\n**/*.log\n!app/keep.log\n**/.env\n',
    });
    const r = await run(sb, 'FROM scratch\nCOPY app/ /srv/app/\nCOPY single.txt /etc/renamed.txt\nCOPY single.txt /opt/\n');
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/srv/app/main.sh')).toMatchObject({ type: 'file', mode: 0o755, uid: 0, gid: 0, content: 'echo hi\n' });
    expect(tree.get('/srv/app/lib/util.sh')).toMatchObject({ type: 'file', mode: 0o644, content: 'util\n' });
    expect(tree.get('/srv/app/link')).toMatchObject({ type: 'symlink', linkname: 'main.sh' });
    expect(tree.get('/srv/app/keep.log')?.content).toBe('kept');
    expect(tree.has('/srv/app/debug.log')).toBe(false);
    expect(tree.has('/srv/app/.env')).toBe(false);
    expect(tree.get('/srv')).toMatchObject({ type: 'directory', mode: 0o755 });
    expect(tree.get('/etc/renamed.txt')?.content).toBe('one');
    expect(tree.get('/opt/single.txt')?.content).toBe('one');
    const cfg = await imageConfig(sb.store, r.imageId);
    expect(cfg.rootfs.diff_ids).toHaveLength(3);
    expect(cfg.config?.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(cfg.config?.WorkingDir).toBe('/');
    expect(cfg.history?.map((h) => h.created_by)).toEqual(['COPY app/ /srv/app/ # buildkit', 'COPY single.txt /etc/renamed.txt # buildkit', 'COPY single.txt /opt/ # buildkit']);
  });

  it('applies --chmod, numeric --chown, wildcards, --exclude and --parents', async () => {
    await files(sb.ctx, {
      'src/a.ts': 'a',
      'src/b.ts': 'b',
      'src/c.md': 'c',
      'pkg/x/package.json': '{}',
      'pkg/y/package.json': '{}',
      'pkg/y/other.txt': 'no',
    });
    const r = await run(
      sb,
      [
        'FROM scratch',
        'COPY --chmod=0700 --chown=10:20 src/*.ts /w/',
        'COPY --exclude=*.md src/ /ex/',
        'COPY --parents pkg/*/package.json /p/',
        'COPY --parents ./pkg/./y/other.txt /q/',
      ].join('\n'),
    );
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/w/a.ts')).toMatchObject({ mode: 0o700, uid: 10, gid: 20 });
    expect(tree.get('/w/b.ts')).toMatchObject({ mode: 0o700, uid: 10, gid: 20 });
    expect(tree.get('/w')).toMatchObject({ type: 'directory', uid: 10, gid: 20, mode: 0o755 });
    expect(tree.has('/w/c.md')).toBe(false);
    expect(tree.has('/ex/a.ts')).toBe(true);
    expect(tree.has('/ex/c.md')).toBe(false);
    expect(tree.get('/p/pkg/x/package.json')?.content).toBe('{}');
    expect(tree.get('/p/pkg/y/package.json')?.content).toBe('{}');
    expect(tree.has('/p/pkg/y/other.txt')).toBe(false);
    expect(tree.get('/q/y/other.txt')?.content).toBe('no');
  });

  it('copies heredocs and unpacks local tars with ADD (plain and gzip), but not with COPY', async () => {
    await mkdir(join(sb.ctx, 'arch'));
    const t = createTar({ 'top/a.txt': 'A', 'top/b.txt': { header: { mode: 0o600, uid: 7, gid: 8 }, content: 'B' } });
    await pipeline(t, createWriteStream(join(sb.ctx, 'arch/plain.tar')));
    await pipeline(createTar({ 'g.txt': 'G' }), createGzip(), createWriteStream(join(sb.ctx, 'arch/z.tar.gz')));
    const r = await run(
      sb,
      ['FROM scratch', 'ARG NAME=world', 'COPY <<EOF /greeting.txt', 'hello ${NAME}', 'EOF', 'COPY <<"RAW" /raw.txt', 'keep ${NAME}', 'RAW', 'ADD arch/plain.tar /unpacked/', 'ADD arch/z.tar.gz /gz', 'COPY arch/plain.tar /copied/'].join('\n'),
    );
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/greeting.txt')).toMatchObject({ mode: 0o644, content: 'hello world\n' });
    expect(tree.get('/raw.txt')?.content).toBe('keep ${NAME}\n');
    expect(tree.get('/unpacked/top/a.txt')?.content).toBe('A');
    expect(tree.get('/unpacked/top/b.txt')).toMatchObject({ mode: 0o600, uid: 7, gid: 8, content: 'B' });
    expect(tree.get('/gz/g.txt')?.content).toBe('G');
    expect(tree.get('/copied/plain.tar')?.type).toBe('file');
  });

  it('ADD downloads a URL (mode 0600, named after the URL), checking --checksum', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url === '/files/tool.sh') {
        res.setHeader('Last-Modified', 'Tue, 14 Nov 2023 22:13:20 GMT');
        res.end('#!/bin/sh\necho tool\n');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const url = `http://127.0.0.1:${port}/files/tool.sh`;
      const { createHash } = await import('node:crypto');
      const sum = `sha256:${createHash('sha256').update('#!/bin/sh\necho tool\n').digest('hex')}`;
      const r = await run(sb, `FROM scratch\nADD --checksum=${sum} ${url} /opt/\nADD ${url} /renamed.sh\n`);
      const tree = await imageTree(sb.store, r.imageId);
      expect(tree.get('/opt/tool.sh')).toMatchObject({ type: 'file', mode: 0o600, uid: 0, content: '#!/bin/sh\necho tool\n' });
      expect(tree.get('/renamed.sh')?.content).toBe('#!/bin/sh\necho tool\n');
      await expect(run(sb, `FROM scratch\nADD --checksum=sha256:${'0'.repeat(64)} ${url} /x\n`)).rejects.toMatchObject({ code: 'ADD_CHECKSUM_MISMATCH' });
      await expect(run(sb, `FROM scratch\nADD http://127.0.0.1:${port}/missing /x\n`)).rejects.toMatchObject({ code: 'ADD_URL_FAILED' });
    } finally {
      server.close();
    }
  });

  it('--link layers do not depend on the parent and still land at their path', async () => {
    await files(sb.ctx, { 'f.txt': 'f' });
    const r = await run(sb, 'FROM scratch\nWORKDIR /app\nCOPY --link f.txt ./\n');
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/app/f.txt')?.content).toBe('f');
    expect(tree.get('/app')?.type).toBe('directory');
  });

  it('fails on a missing source and on several sources to a file destination', async () => {
    await files(sb.ctx, { 'a': 'a', 'b': 'b' });
    await expect(run(sb, 'FROM scratch\nCOPY nope.txt /x\n')).rejects.toMatchObject({ code: 'COPY_SOURCE_NOT_FOUND' });
    await expect(run(sb, 'FROM scratch\nCOPY a b /x\n')).rejects.toMatchObject({ code: 'COPY_INVALID' });
  });
});

describe('config instructions', () => {
  it('puts every field where Docker does, with BuildKit history', async () => {
    await files(sb.ctx, { 'f': 'f' });
    const df = [
      'ARG BASE=scratch',
      'FROM ${BASE}',
      'MAINTAINER someone',
      'ARG VERSION=1.0',
      'ENV APP_HOME=/opt/app V=${VERSION}',
      'ENV PATH="${APP_HOME}/bin:${PATH}"',
      'LABEL org.example.version="${VERSION}" other=x',
      'EXPOSE 8080 53/udp',
      'VOLUME ["/data"]',
      'WORKDIR ${APP_HOME}',
      'USER 1000:1000',
      'STOPSIGNAL SIGQUIT',
      'SHELL ["/bin/ash", "-c"]',
      'HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["check"]',
      'ONBUILD COPY f /onbuild-f',
      'CMD ["serve"]',
      'ENTRYPOINT ["/entry"]',
    ].join('\n');
    const r = await run(sb, df, { buildArgs: { VERSION: '2.0' } });
    const cfg = await imageConfig(sb.store, r.imageId);
    const c = cfg.config!;
    expect(cfg.author).toBe('someone');
    expect(c.Env).toEqual(['PATH=/opt/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_HOME=/opt/app', 'V=2.0']);
    expect(c.Labels).toEqual({ 'org.example.version': '2.0', other: 'x' });
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {} });
    expect(c.Volumes).toEqual({ '/data': {} });
    expect(c.WorkingDir).toBe('/opt/app');
    expect(c.User).toBe('1000:1000');
    expect(c.StopSignal).toBe('SIGQUIT');
    expect(c.Shell).toEqual(['/bin/ash', '-c']);
    expect(c.Healthcheck).toEqual({ Test: ['CMD', 'check'], Interval: 30e9, Timeout: 3e9, Retries: 3 });
    expect(c.OnBuild).toEqual(['COPY f /onbuild-f']);
    // ENTRYPOINT after CMD in the same stage keeps the CMD
    expect(c.Cmd).toEqual(['serve']);
    expect(c.Entrypoint).toEqual(['/entry']);
    // ARGs never reach the config
    expect(JSON.stringify(c)).not.toContain('VERSION=');
    const hist = cfg.history!;
    expect(hist.map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
      ['MAINTAINER someone', true],
      ['ARG VERSION=2.0', true],
      ['ENV APP_HOME=/opt/app V=2.0', true],
      ['ENV PATH=/opt/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', true],
      ['LABEL org.example.version=2.0 other=x', true],
      ['EXPOSE [8080/tcp 53/udp]', true],
      ['VOLUME [/data]', true],
      ['WORKDIR /opt/app', false],
      ['USER 1000:1000', true],
      ['STOPSIGNAL SIGQUIT', true],
      ['SHELL [/bin/ash -c]', true],
      ['HEALTHCHECK {Test:[CMD check] Interval:30s Timeout:3s StartPeriod:0s StartInterval:0s Retries:3}', true],
      ['CMD ["serve"]', true],
      ['ENTRYPOINT ["/entry"]', true],
    ]);
    expect(cfg.rootfs.diff_ids).toHaveLength(1);
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/opt/app')).toMatchObject({ type: 'directory', mode: 0o755 });

    // A child built FROM it runs the ONBUILD trigger, and does not keep it.
    await writeFile(join(sb.dir, 'parent.id'), r.imageId);
    sb.store.images.setTag('docker.io/library/parent:latest', r.imageId as never);
    const child = await run(sb, 'FROM parent\nENTRYPOINT ["/other"]\n');
    const ccfg = await imageConfig(sb.store, child.imageId);
    expect(ccfg.config?.OnBuild ?? null).toBeNull();
    // an inherited CMD is reset by a new ENTRYPOINT
    expect(ccfg.config?.Cmd ?? null).toBeNull();
    const ctree = await imageTree(sb.store, child.imageId);
    expect(ctree.get('/onbuild-f')?.content).toBe('f');
  });
});

describe('FROM an imported busybox image', () => {
  it('resolves --chown and USER names in the image, creates WORKDIR owned by USER', async () => {
    await importBusybox(sb.store);
    await files(sb.ctx, { 'conf/app.conf': 'x=1' });
    const r = await run(sb, 'FROM busybox\nUSER daemon\nWORKDIR /srv/app\nCOPY --chown=nobody:daemon conf/ ./conf/\nUSER root\nCOPY conf/app.conf /bin/\n');
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/srv/app')).toMatchObject({ type: 'directory', uid: 1, gid: 1 });
    expect(tree.get('/srv/app/conf')).toMatchObject({ type: 'directory', uid: 65534, gid: 1 });
    expect(tree.get('/srv/app/conf/app.conf')).toMatchObject({ uid: 65534, gid: 1, content: 'x=1' });
    // /bin exists in busybox: the file goes into it, the directory keeps its metadata
    expect(tree.get('/bin/app.conf')?.content).toBe('x=1');
    expect(tree.get('/bin/busybox')?.type).toBe('file');
    const cfg = await imageConfig(sb.store, r.imageId);
    expect(cfg.rootfs.diff_ids).toHaveLength(4);
    expect(cfg.history?.[0]?.comment).toContain('Imported');
    expect(cfg.history?.[0]?.created).toBe('2024-01-01T00:00:00.000Z');
    await expect(run(sb, 'FROM busybox\nCOPY --chown=ghost conf/ /x/\n')).rejects.toMatchObject({ code: 'UNKNOWN_USER' });
  });
});

describe('multi-stage', () => {
  it('builds only what --target needs, reading global ARGs in FROM', async () => {
    await files(sb.ctx, { 'a': 'A', 'b': 'B' });
    const df = [
      'ARG FLAVOR=scratch',
      'FROM ${FLAVOR} AS one',
      'COPY a /a',
      'FROM does-not-exist:never AS unused',
      'COPY b /b',
      'FROM one AS two',
      'ARG FLAVOR',
      'ENV F=${FLAVOR}',
      'COPY b /b',
      'FROM two AS final',
    ].join('\n');
    const r = await run(sb, df, { target: 'two' });
    const tree = await imageTree(sb.store, r.imageId);
    expect(tree.get('/a')?.content).toBe('A');
    expect(tree.get('/b')?.content).toBe('B');
    expect(r.steps.map((s) => s.name)).toEqual(['[one 1/2] FROM scratch', '[one 2/2] COPY a /a', '[two 1/2] FROM one', '[two 2/2] COPY b /b']);
    expect((await imageConfig(sb.store, r.imageId)).config?.Env).toContain('F=scratch');
    await expect(run(sb, df, { target: 'nope' })).rejects.toMatchObject({ code: 'UNKNOWN_TARGET' });
    await expect(run(sb, df, { target: 'unused' })).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });
});
