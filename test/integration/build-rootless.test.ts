import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, createReadStream, existsSync, lstatSync, type Stats, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { cliPath } from '../helpers/paths.js';

/**
 * A rootless build: a real unprivileged user made here (useradd, its own subordinate id ranges) builds a
 * Dockerfile whose RUN steps chown files to 0, 1000 and 65534 and set a setuid bit. strata re-executes
 * itself in a user namespace, so the layers carry exactly those ids; the store on the host belongs to the
 * user (and its subordinate ids), nothing stays mounted, and a user without subordinate ids gets one clear
 * line naming what is missing.
 */

const tools = ['useradd', 'userdel', 'usermod', 'setpriv', 'newuidmap', 'newgidmap'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
// The user must be able to run the compiled CLI where the checkout lives (not under a 0700 home).
const canRun =
  process.getuid?.() === 0 &&
  tools &&
  spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', cliPath, '--version']).status === 0;
if (!canRun) console.warn('build-rootless: SKIPPED, needs root, useradd/usermod, setpriv, newuidmap and a checkout any user can read, to build as a real unprivileged user');

const tag = `${process.pid % 100000}`;
const withIds = `strata-rl${tag}`;
const withoutIds = `strata-rn${tag}`;
const subStart = 700000 + (process.pid % 1000) * 65536;
let work: string;
let uid: number;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
}

function asUser(name: string, args: string[], home: string, xdg = 'xdg') {
  const r = spawnSync(
    'setpriv',
    ['--reuid', name, '--regid', name, '--init-groups', '--', cliPath, ...args],
    {
      cwd: home,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, XDG_DATA_HOME: join(home, xdg), SOURCE_DATE_EPOCH: '1700000000' },
      encoding: 'utf8',
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** userHome makes a directory the user owns, with the busybox tarball in it. */
function userHome(name: string): string {
  const home = join(work, name);
  mkdirSync(home, { mode: 0o700 });
  copyFileSync(busyboxRootfsTar(), join(home, 'busybox.tar'));
  execFileSync('chown', ['-R', `${name}:${name}`, home]);
  return home;
}

interface Entry {
  uid: number;
  gid: number;
  mode: number;
  type: string;
}

/** tarEntries lists a tar stream's entries (gzip or not) by name. */
async function tarEntries(stream: Readable): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const extract = tar.extract();
  const head: Buffer[] = [];
  const gz = await new Promise<boolean>((resolve) => stream.once('readable', () => {
    const b = stream.read(2) as Buffer | null;
    if (b) head.push(b);
    resolve(b !== null && b[0] === 0x1f && b[1] === 0x8b);
  }));
  if (head[0]) stream.unshift(head[0]);
  (gz ? stream.pipe(createGunzip()) : stream).pipe(extract);
  for await (const e of extract) {
    out.set(e.header.name.replace(/\/$/, ''), { uid: e.header.uid ?? -1, gid: e.header.gid ?? -1, mode: e.header.mode ?? 0, type: e.header.type ?? '' });
    e.resume();
  }
  return out;
}

/** imageLayers unpacks a docker-archive and lists each layer's entries, base first. */
async function imageLayers(archive: string): Promise<Map<string, Entry>[]> {
  const dir = mkdtempSync(join(work, 'archive-'));
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  const layers: Map<string, Entry>[] = [];
  for (const l of manifest[0]!.Layers) layers.push(await tarEntries(createReadStream(join(dir, l))));
  return layers;
}

function walk(dir: string, visit: (path: string, st: Stats) => void): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    visit(p, st);
    if (st.isDirectory()) walk(p, visit);
  }
}

/** pidsOf lists the live (not zombie) processes whose real uid is `id`. */
function pidsOf(id: number): string[] {
  return readdirSync('/proc').filter((p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      return !/^State:\s+Z/m.test(status) && /^Uid:\s+(\d+)/m.exec(status)?.[1] === String(id);
    } catch {
      return false; // not a process, or gone meanwhile
    }
  });
}

/** processesOf lists the command lines of the user's live processes. */
function processesOf(id: number): string[] {
  return pidsOf(id).map((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      return '';
    }
  });
}

/** until polls `check` every 100 ms (up to `limitMs`, a bound for a hung run, not a timing assumption). */
async function until(check: () => boolean, limitMs = 30000): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 100) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

beforeAll(() => {
  if (!canRun) return;
  work = mkdtempSync(join(tmpdir(), 'strata-build-rootless-'));
  execFileSync('chmod', ['755', work]);
  // SUB_UID_COUNT=0: no automatic ranges, so the test decides who has which (and the second user has none).
  for (const name of [withIds, withoutIds]) sh('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', name]);
  sh('usermod', ['--add-subuids', `${subStart}-${subStart + 65535}`, '--add-subgids', `${subStart}-${subStart + 65535}`, withIds]);
  uid = Number(sh('id', ['-u', withIds]));
});

afterAll(() => {
  if (!canRun) return;
  // A failed kill test could leave the user's processes behind, and userdel refuses a user with processes.
  for (const pid of pidsOf(uid)) spawnSync('kill', ['-KILL', pid]);
  for (const name of [withIds, withoutIds]) spawnSync('userdel', [name]);
  rmSync(work, { recursive: true, force: true });
});

const DOCKERFILE = `FROM busybox
RUN mkdir /data && echo a > /data/root && echo b > /data/user && echo c > /data/nobody \\
 && chown 0:0 /data/root && chown 1000:1000 /data/user && chown 65534:65534 /data/nobody
RUN cp /bin/busybox /data/suid && chmod 4755 /data/suid && chown 1000:1000 /data && mkdir /data/ids && id -u > /data/ids/who
`;

/** startSleepyBuild starts, as the user with subordinate ids, a build whose RUN sleeps `seconds` (a name to find it by). */
function startSleepyBuild(name: string, seconds: number): { child: ReturnType<typeof spawn>; home: string; ctx: string } {
  const home = join(work, withIds);
  const ctx = join(home, name);
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), `FROM busybox\nRUN sleep ${seconds}\n`);
  execFileSync('chown', ['-R', `${withIds}:${withIds}`, ctx]);
  const child = spawn('setpriv', ['--reuid', withIds, '--regid', withIds, '--init-groups', '--', cliPath, 'build', '--progress', 'plain', ctx], {
    cwd: home,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, XDG_DATA_HOME: join(home, 'xdg') },
    stdio: 'ignore',
  });
  return { child, home, ctx };
}

describe('rootless build as a real unprivileged user', () => {
  it.skipIf(!canRun)('keeps container ids and modes in the layers, with the store owned by the user', async () => {
    const home = userHome(withIds);
    writeFileSync(join(home, 'Dockerfile'), DOCKERFILE);
    chownSync(join(home, 'Dockerfile'), uid, uid);
    // Two stores: overlay and native snapshots of the same layer must not share a snapshot root.
    for (const xdg of ['xdg', 'xdg-native']) {
      const imported = asUser(withIds, ['import', 'busybox.tar', 'busybox'], home, xdg);
      expect(imported.code, imported.stderr).toBe(0);
    }
    const auto = asUser(withIds, ['build', '--progress', 'plain', '--snapshotter', 'overlay', '-t', 'auto', '.'], home);
    expect(auto.code, auto.stderr).toBe(0);
    const rootless = asUser(withIds, ['build', '--progress', 'plain', '--runner', 'rootless', '--snapshotter', 'native', '-t', 'rootless', '.'], home, 'xdg-native');
    expect(rootless.code, rootless.stderr).toBe(0);

    for (const [ref, xdg] of [['auto', 'xdg'], ['rootless', 'xdg-native']] as const) {
      const saved = asUser(withIds, ['save', '-o', `${ref}.tar`, ref], home, xdg);
      expect(saved.code, saved.stderr).toBe(0);
    }
    const layers = await imageLayers(join(home, 'auto.tar'));
    expect(layers).toHaveLength(3);
    const [, first, second] = layers as [Map<string, Entry>, Map<string, Entry>, Map<string, Entry>];
    expect(first.get('data/root')).toEqual({ uid: 0, gid: 0, mode: 0o644, type: 'file' });
    expect(first.get('data/user')).toEqual({ uid: 1000, gid: 1000, mode: 0o644, type: 'file' });
    expect(first.get('data/nobody')).toEqual({ uid: 65534, gid: 65534, mode: 0o644, type: 'file' });
    expect(first.get('data')).toEqual({ uid: 0, gid: 0, mode: 0o755, type: 'directory' });
    expect(second.get('data')).toEqual({ uid: 1000, gid: 1000, mode: 0o755, type: 'directory' });
    expect(second.get('data/suid')).toEqual({ uid: 0, gid: 0, mode: 0o4755, type: 'file' });
    // Same layers with either snapshotter and runner choice (SOURCE_DATE_EPOCH makes them comparable).
    expect(await imageLayers(join(home, 'rootless.tar'))).toEqual(layers);

    // strata run re-execs the same way: the container sees the ids the layers carry.
    const ran = asUser(withIds, ['run', '--rm', 'auto', 'stat', '-c', '%u:%g %a %n', '/data', '/data/user', '/data/nobody', '/data/suid'], home);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('1000:1000 755 /data\n1000:1000 644 /data/user\n65534:65534 644 /data/nobody\n0:0 4755 /data/suid\n');

    // On the host the store belongs to the user; only snapshot files chowned in a step have its
    // subordinate ids (container id n → subStart + n - 1); nothing is root's.
    for (const xdg of ['xdg', 'xdg-native']) {
      const store = join(home, xdg, 'strata');
      expect(existsSync(join(store, 'meta.db'))).toBe(true);
      const foreign: string[] = [];
      const subOwned = new Set<number>();
      walk(store, (p, st) => {
        const inRange = (id: number) => id >= subStart && id < subStart + 65536;
        const inSnapshots = p.startsWith(join(store, 'snapshots') + '/');
        const ok = inSnapshots ? (st.uid === uid || inRange(st.uid)) && (st.gid === uid || inRange(st.gid)) : st.uid === uid && st.gid === uid;
        if (!ok) foreign.push(`${p} ${st.uid}:${st.gid}`);
        if (st.uid !== uid) subOwned.add(st.uid - subStart + 1);
      });
      expect(foreign).toEqual([]);
      expect(subOwned).toEqual(new Set([1000, 65534]));
    }

    // Nothing mounted on the host, no process of the user left.
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
    expect(processesOf(uid)).toEqual([]);
  });

  it.skipIf(!canRun)('a strata killed with SIGKILL mid-step leaves no process and no mount', async () => {
    const { child } = startSleepyBuild('sleepy', 1000);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(await until(() => processesOf(uid).includes('sleep 1000'))).toBe(true);
    child.kill('SIGKILL'); // setpriv exec'd node: this is strata itself, which cannot clean up
    expect(await exited).toBe('SIGKILL');
    expect(await until(() => processesOf(uid).length === 0), JSON.stringify(processesOf(uid))).toBe(true);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
  });

  it.skipIf(!canRun)('Ctrl-C (SIGINT) reaches the re-executed strata: exit 130, no process, no mount, and the store builds again', async () => {
    const { child, home, ctx } = startSleepyBuild('interrupted', 1001);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(await until(() => processesOf(uid).includes('sleep 1001'))).toBe(true);
    child.kill('SIGINT'); // the outer strata (setpriv exec'd node) relays it into the user namespace
    expect(await exited).toBe(130);
    expect(await until(() => processesOf(uid).length === 0), JSON.stringify(processesOf(uid))).toBe(true);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo again > /again\n');
    const again = asUser(withIds, ['build', '-q', ctx], home);
    expect(again.code, again.stderr).toBe(0);
  });

  it.skipIf(!canRun)('tells a user without subordinate ids what is missing, in one line', () => {
    const home = userHome(withoutIds);
    writeFileSync(join(home, 'Dockerfile'), 'FROM busybox\nRUN chown 1000 /tmp\n');
    const imported = asUser(withoutIds, ['import', 'busybox.tar', 'busybox'], home);
    expect(imported.code, imported.stderr).toBe(0);
    const r = asUser(withoutIds, ['build', '-t', 'x', '.'], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: rootless build needs subordinate ids: no subordinate uids for ${withoutIds} in /etc/subuid; no subordinate gids for ${withoutIds} in /etc/subgid` +
        ` (an administrator can add them: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${withoutIds})\n`,
    );
    expect(readdirSync(join(home, 'xdg', 'strata', 'snapshots'))).toEqual([]);
  });
});
