import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChrootRunner } from '../../runners/chroot/chroot-runner.js';
import { OciRunner } from '../../runners/oci/oci-runner.js';
import type { Runner, RunSpec } from '../../runners/types.js';
import { NativeSnapshotter } from '../../src/snapshot/native.js';
import { OverlaySnapshotter } from '../../src/snapshot/overlay.js';
import { overlaySupported } from '../../src/snapshot/select.js';
import type { Snapshotter } from '../../src/snapshot/types.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { layerLines } from '../unit/snapshot/layer-helpers.js';

// RUN steps end to end: a busybox base unpacked with importLayer, real busybox commands run by a runner
// on a prepared snapshot (mounted only inside the runner's namespace), the diff read back as a layer.

const notRoot = process.getuid?.() !== 0 ? 'needs root (mounts, namespaces)' : undefined;
if (notRoot) console.warn(`run + snapshot integration skipped: ${notRoot}`);

const STEP = [
  'echo hi > /hello',
  'rm /etc/group',
  'mkdir -p /opt/app',
  'echo data > /opt/app/data',
  'chown -R 1000:2000 /opt/app',
  'chmod 4755 /opt/app/data',
  'ln -s /hello /opt/link',
  'ln /hello /opt/hard',
  'rm -rf /home && mkdir /home && touch /home/new',
].join(' && ');

const EXPECTED = [
  'directory etc/ 755 0:0',
  'file etc/.wh.group 0 0:0 =',
  'file hello 644 0:0 =hi\n',
  'directory home/ 755 0:0',
  'file home/.wh..wh..opq 0 0:0 =',
  'file home/new 644 0:0 =',
  'directory opt/ 755 0:0',
  'directory opt/app/ 755 1000:2000',
  'file opt/app/data 4755 1000:2000 =data\n',
  'link opt/hard 644 0:0 -> hello',
  'symlink opt/link 777 0:0 -> /hello',
];

const combos: [string, (root: string) => Snapshotter, () => Runner, string | undefined][] = [
  ['overlay + chroot', (r) => new OverlaySnapshotter(r), () => new ChrootRunner(), notRoot ?? (overlaySupported(tmpdir()) ? undefined : 'no overlayfs')],
  ['native + chroot', (r) => new NativeSnapshotter(r), () => new ChrootRunner(), notRoot],
  ['overlay + oci', (r) => new OverlaySnapshotter(r), () => new OciRunner(), notRoot ?? (overlaySupported(tmpdir()) ? undefined : 'no overlayfs')],
];

for (const [name, makeSn, makeRunner, skip] of combos) {
  describe.skipIf(skip !== undefined)(`RUN on a busybox snapshot: ${name}`, () => {
    let work: string;
    let sn: Snapshotter;
    let runner: Runner;
    const spec = (args: string[], mounts: RunSpec['rootfsMounts']): RunSpec => ({
      rootfs: join(work, 'mnt'),
      rootfsMounts: mounts,
      args,
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      mounts: [],
      network: 'none',
    });

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'strata-runsnap-'));
      rmSync(join(work, 'mnt'), { force: true, recursive: true });
      (await import('node:fs')).mkdirSync(join(work, 'mnt'));
      sn = makeSn(join(work, 'snapshots'));
      runner = makeRunner();
      await sn.importLayer('busybox', undefined, createReadStream(busyboxRootfsTar()));
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('turns a RUN step into the exact layer, leaving nothing mounted', async () => {
      const mounts = await sn.prepare('step1', 'busybox');
      const res = await runner.run(spec(['sh', '-c', STEP], mounts));
      expect(res.exitCode).toBe(0);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
      expect(await layerLines(sn.diff('step1', { sourceDateEpoch: 1_700_000_000 }))).toEqual(EXPECTED);
    });

    it('runs the next step on the committed one and sees its files', async () => {
      await sn.commit('layer1', 'step1');
      const mounts = await sn.prepare('step2', 'layer1');
      const out = new PassThrough();
      let text = '';
      out.on('data', (c) => (text += c));
      const res = await runner.run({ ...spec(['sh', '-c', 'cat /hello; ls /home; stat -c %a:%u:%g /opt/app/data; test -e /etc/group || echo nogroup; exit 7'], mounts), stdout: out });
      expect(res.exitCode).toBe(7);
      expect(text).toBe('hi\nnew\n4755:1000:2000\nnogroup\n');
      // Nothing changed: the only entries are the directory the runner's mountpoints touched, if any.
      const lines = await layerLines(sn.diff('step2'));
      expect(lines.filter((l) => !l.startsWith('directory etc/'))).toEqual([]);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
    });
  });
}
