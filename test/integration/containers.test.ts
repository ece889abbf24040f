import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { cliPath } from '../helpers/paths.js';
import { strata, strataOk, strataSpawn } from '../helpers/strata-cli.js';
import { openStore } from '../../src/store/store.js';
import { loadImage, resolveImage } from '../../src/store/resolve-image.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('containers.test.ts: strata run needs root for the chroot runner; these tests are SKIPPED');

/** `strata run / ps / rm / commit` through the compiled CLI on a busybox image imported into a temp store. */
let work: string;
let root: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'strata-ctr-'));
  root = join(work, 'root');
  strataOk(root, ['import', '-c', 'ENV GREETING=hello', '-c', 'CMD ["echo", "default cmd"]', busyboxRootfsTar(), 'busybox']);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
// A failed assertion must not leave a spawned strata running (it would hold the store and its step).
const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const c of spawned.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT');
});
const spawnCli = (args: string[]): ChildProcess => {
  const c = strataSpawn(root, args);
  spawned.push(c);
  return c;
};

const noStrataMounts = () => expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(root);

describe.skipIf(!isRoot)('strata run', () => {
  it('runs the image command, propagates exit codes and applies -e, --env-file, -w, -u', () => {
    expect(strataOk(root, ['run', '--rm', 'busybox'])).toBe('default cmd\n');
    const failed = strata(root, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; exit 42']);
    expect(failed).toMatchObject({ code: 42, stdout: 'out\n' });
    const envFile = join(work, 'env');
    writeFileSync(join(work, 'env'), '# comment\nFROM_FILE=yes\n\nGREETING=overridden-by-e\n');
    const out = strataOk(root, ['run', '--rm', '--env-file', envFile, '-e', 'GREETING=hi', '-e', 'X=1', '-w', '/tmp/work', '-u', 'nobody', 'busybox', 'sh', '-c', 'echo "$GREETING $X $FROM_FILE $PATH"; id -u; id -g; pwd']);
    expect(out).toBe('hi 1 yes /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n65534\n65534\n/tmp/work\n');
    expect(strataOk(root, ['run', '--rm', '-u', '1234:5', 'busybox', 'sh', '-c', 'id -u; id -g'])).toBe('1234\n5\n');
    const unknown = strata(root, ['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: unable to find user nosuchuser: no matching entries in passwd file\n');
    noStrataMounts();
  });

  it('follows docker\'s --entrypoint rules', () => {
    // --entrypoint drops the image's CMD; the arguments after IMAGE become its arguments
    expect(strataOk(root, ['run', '--rm', '--entrypoint', 'echo', 'busybox'])).toBe('\n');
    expect(strataOk(root, ['run', '--rm', '--entrypoint', 'echo', 'busybox', 'a', 'b'])).toBe('a b\n');
    // an empty --entrypoint clears the image's, and its CMD goes with it
    expect(strata(root, ['run', '--rm', '--entrypoint', '', 'busybox'])).toMatchObject({ code: 1, stderr: 'error: No command specified\n' });
    expect(strataOk(root, ['run', '--rm', '--entrypoint', '', 'busybox', 'echo', 'own'])).toBe('own\n');
  });

  it('passes piped stdin with -i and closes it without -i', () => {
    expect(strataOk(root, ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'tr a-z A-Z; echo done'], { input: 'piped input\n' })).toBe('PIPED INPUT\ndone\n');
    expect(strataOk(root, ['run', '--rm', 'busybox', 'sh', '-c', 'cat; echo eof'], { input: 'not seen\n' })).toBe('eof\n');
  });

  it('gives a terminal with -it', () => {
    // script(1) runs strata on a pty, so the container's stdin and stdout are that terminal
    const line = `${cliPath} --root ${root} run -it --rm busybox sh -c 'test -t 0 && test -t 1 && echo tty-ok; exit 5'`;
    const s = spawnSync('script', ['-qec', line, '/dev/null'], { input: '' });
    expect(s.stdout.toString()).toContain('tty-ok');
    expect(s.status).toBe(5);
  });
});

describe.skipIf(!isRoot)('strata ps and rm', () => {
  it('lists containers with docker\'s columns and removes them by name, id and prefix', () => {
    const r = strata(root, ['run', '--name', 'first', 'busybox', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
    strataOk(root, ['run', 'busybox', 'sh', '-c', 'echo a long command line that is truncated']);
    expect(strataOk(root, ['ps'])).toBe('CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
    const table = strataOk(root, ['ps', '-a']).split('\n');
    expect(table[0]).toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    expect(table[1]).toMatch(/^[0-9a-f]{12} +busybox +"sh -c echo a long c…" +.+ ago +Exited \(0\) .+ ago +[a-z]+_[a-z]+\d?$/);
    expect(table[2]).toMatch(/^[0-9a-f]{12} +busybox +"sh -c exit 3" +.+ ago +Exited \(3\) .+ ago +first$/);
    const ids = strataOk(root, ['ps', '-aq']).trim().split('\n');
    expect(ids).toHaveLength(2);
    expect(ids.every((i) => /^[0-9a-f]{12}$/.test(i))).toBe(true);
    const full = strataOk(root, ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.Command}} {{.State}}']).trim().split('\n');
    expect(full[1]).toMatch(/^[0-9a-f]{64} first "sh -c exit 3" exited$/);
    const generated = strataOk(root, ['ps', '-a', '--format', '{{.Names}}']).split('\n')[0]!;
    const dup = strata(root, ['run', '--name', 'first', 'busybox', 'true']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^error: Conflict\. The container name "\/first" is already in use by container "[0-9a-f]{64}"/);
    expect(strataOk(root, ['rm', 'first', generated])).toBe(`first\n${generated}\n`);
    expect(strata(root, ['rm', 'first'])).toMatchObject({ code: 1, stderr: 'error: No such container: first\n' });
    strataOk(root, ['run', '--name', 'third', 'busybox', 'true']);
    const id = strataOk(root, ['ps', '-aq', '--no-trunc']).trim();
    expect(strataOk(root, ['rm', id.slice(0, 5)])).toBe(`${id.slice(0, 5)}\n`);
    expect(strataOk(root, ['ps', '-a', '-q'])).toBe('');
    noStrataMounts();
  });

  it('needs -f to remove a running container, which kills its processes', async () => {
    const child = spawnCli(['run', '--name', 'runner', 'busybox', 'sh', '-c', 'echo started; sleep 987651; : ctr-running-marker']);
    await untilOutput(child, 'started');
    expect(strataOk(root, ['ps', '--format', '{{.Names}} {{.State}}'])).toBe('runner running\n');
    expect(strataOk(root, ['ps'])).toMatch(/ Up (Less than a second|\d+ seconds?) /);
    const refused = strata(root, ['rm', 'runner']);
    expect(refused).toMatchObject({ code: 1, stderr: 'error: cannot remove container "/runner": container is running: stop the container before removing or force remove\n' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(strataOk(root, ['rm', '-f', 'runner'])).toBe('runner\n');
    expect(await exited).toBe(137);
    expect(processesWith('ctr-running-marker')).toEqual([]);
    expect(processesWith('sleep\u0000987651')).toEqual([]);
    expect(strataOk(root, ['ps', '-aq'])).toBe('');
    noStrataMounts();
  });
});

describe.skipIf(!isRoot)('strata commit', () => {
  it('makes one new layer of the changes (with whiteouts) and a config from the container and -c', async () => {
    const script = 'echo new > /new.txt && echo changed >> /etc/passwd && rm /bin/vi && rm -rf /home && mkdir -p /home/fresh && echo x > /home/fresh/f';
    strataOk(root, ['run', '--name', 'changer', '-e', 'FROM_RUN=1', '-w', '/srv', 'busybox', 'sh', '-c', script]);
    const id = strataOk(root, ['commit', '-m', 'my message', '-a', 'Jane <jane@example.com>', '-c', 'ENV LEVEL=2', '-c', 'CMD ["cat", "/new.txt"]', '-c', 'LABEL team=core', 'changer', 'committed:1']).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const store = openStore(root);
    try {
      const img = await loadImage(store, resolveImage(store, 'committed:1'));
      expect(img.id).toBe(id);
      const base = await loadImage(store, resolveImage(store, 'busybox'));
      expect(img.layers.map((l) => l.diffID).slice(0, -1)).toEqual(base.layers.map((l) => l.diffID));
      expect(img.layers).toHaveLength(base.layers.length + 1);
      const entries = await tarEntries(img.layers.at(-1)!.uncompressed());
      expect(entries).toEqual(expect.arrayContaining(['new.txt', 'etc/passwd', 'bin/.wh.vi', 'home/', 'home/.wh..wh..opq', 'home/fresh/', 'home/fresh/f', 'srv/']));
      expect(entries.filter((e) => e.startsWith('bin/') && e !== 'bin/' && e !== 'bin/.wh.vi')).toEqual([]);
      const c = img.config;
      expect(c.author).toBe('Jane <jane@example.com>');
      expect(c.comment).toBe('my message');
      expect(c.history?.at(-1)).toMatchObject({ created_by: `sh -c ${script}`, author: 'Jane <jane@example.com>', comment: 'my message' });
      expect(c.config).toMatchObject({ Cmd: ['cat', '/new.txt'], WorkingDir: '/srv', Labels: { team: 'core' } });
      expect(c.config?.Env).toEqual(expect.arrayContaining(['GREETING=hello', 'FROM_RUN=1', 'LEVEL=2']));
    } finally {
      store.close();
    }
    expect(strataOk(root, ['run', '--rm', 'committed:1'])).toBe('new\n');
    const seen = strataOk(root, ['run', '--rm', 'committed:1', 'sh', '-c', 'tail -n1 /etc/passwd; ls /home; cat /home/fresh/f; ls /bin/vi 2>&1; echo "$LEVEL $FROM_RUN"; pwd']);
    expect(seen).toBe('changed\nfresh\nx\nls: /bin/vi: No such file or directory\n2 1\n/srv\n');
    strataOk(root, ['rm', 'changer']);
    noStrataMounts();
  });

  it('refuses an unknown container with a one-line error', () => {
    expect(strata(root, ['commit', 'nope', 'x:1'])).toMatchObject({ code: 1, stderr: 'error: No such container: nope\n' });
  });
});

async function tarEntries(stream: NodeJS.ReadableStream): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (h, s, next) => {
    names.push(h.name);
    s.on('end', next);
    s.resume();
  });
  const done = new Promise<void>((res, rej) => (extract.on('finish', res), extract.on('error', rej)));
  stream.pipe(extract);
  await done;
  return names;
}

/** untilOutput resolves once the child has printed `text` on stdout (no sleeps: its own signal). */
function untilOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing ${text}: ${seen}`)));
  });
}

/** processesWith lists the pids whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker)) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
