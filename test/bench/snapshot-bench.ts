// snapshot-bench: how much one RUN step that changes one file costs on a base of 500 and of 50,000 files,
// for the overlay and native snapshotters (chroot runner). Not part of `npm test`; needs root.
//   npm run bench (test/bench/snapshot-bench.sh), or after `npm run build`:
//   BUSYBOX_TAR=test-artifacts/busybox-rootfs.tar node dist/test/bench/snapshot-bench.js [--sizes 500,50000] [--runs 3] [--only overlay,native]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChrootRunner } from '../../runners/chroot/chroot-runner.js';
import { NativeSnapshotter } from '../../src/snapshot/native.js';
import { OverlaySnapshotter } from '../../src/snapshot/overlay.js';
import type { Snapshotter } from '../../src/snapshot/types.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg('sizes', '500,50000').split(',').map(Number);
const only = arg('only', 'overlay,native').split(',');
const runs = Number(arg('runs', '3'));

function makeFiles(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const d = join(dir, 'data', `d${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i % 500}`), `file ${i}\n`);
  }
}

function tarStream(dir: string) {
  const p = spawn('tar', ['-C', dir, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return p.stdout;
}

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  snapshotter: string;
  files: number;
  prepare: number;
  run: number;
  diff: number;
  commit: number;
  total: number;
  /** importBase: unpacking the base layer of `files` files (once per base, not per step). */
  importBase: number;
}

async function bench(name: string, make: (root: string) => Snapshotter, n: number): Promise<Row> {
  const work = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  try {
    const sn = make(join(work, 'snapshots'));
    await sn.importLayer('busybox', undefined, createReadStream(process.env.BUSYBOX_TAR ?? busyboxRootfsTar()));
    const files = join(work, 'files');
    makeFiles(files, n);
    const ti = process.hrtime.bigint();
    await sn.importLayer('base', 'busybox', tarStream(files));
    const importMs = ms(ti);
    rmSync(files, { recursive: true });
    mkdirSync(join(work, 'mnt'));
    const runner = new ChrootRunner();
    const t = { prepare: [] as number[], run: [] as number[], diff: [] as number[], commit: [] as number[] };
    for (let i = 0; i < runs; i++) {
      let t0 = process.hrtime.bigint();
      const mounts = await sn.prepare(`step${i}`, 'base');
      t.prepare.push(ms(t0));
      t0 = process.hrtime.bigint();
      const r = await runner.run({
        rootfs: join(work, 'mnt'), rootfsMounts: mounts, args: ['sh', '-c', `echo run ${i} > /data/d0/f0`],
        env: ['PATH=/bin:/usr/bin'], cwd: '/', user: { uid: 0, gid: 0 }, mounts: [], network: 'none', stderr: process.stderr,
      });
      if (r.exitCode !== 0) throw new Error(`step exited ${r.exitCode}`);
      t.run.push(ms(t0));
      t0 = process.hrtime.bigint();
      const h = createHash('sha256');
      for await (const c of sn.diff(`step${i}`)) h.update(c as Buffer);
      t.diff.push(ms(t0));
      t0 = process.hrtime.bigint();
      await sn.commit(`layer${i}`, `step${i}`);
      t.commit.push(ms(t0));
    }
    const row = { snapshotter: name, files: n, prepare: median(t.prepare), run: median(t.run), diff: median(t.diff), commit: median(t.commit), total: 0, importBase: importMs };
    row.total = row.prepare + row.run + row.diff + row.commit;
    return row;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const [name, make] of [['overlay', (r: string) => new OverlaySnapshotter(r)], ['native', (r: string) => new NativeSnapshotter(r)]] as const) {
  if (!only.includes(name)) continue;
  for (const n of sizes) rows.push(await bench(name, make, n));
}
const f = (x: number) => x.toFixed(1).padStart(8);
console.log('snapshotter   files    prepare      run     diff   commit    total   import-base   (ms, median of ' + runs + ')');
for (const r of rows) console.log(`${r.snapshotter.padEnd(10)} ${String(r.files).padStart(8)} ${f(r.prepare)} ${f(r.run)} ${f(r.diff)} ${f(r.commit)} ${f(r.total)}   ${f(r.importBase)}`);
for (const name of ['overlay', 'native']) {
  const small = rows.find((r) => r.snapshotter === name && r.files === Math.min(...sizes));
  const big = rows.find((r) => r.snapshotter === name && r.files === Math.max(...sizes));
  if (small && big) console.log(`${name}: step on ${big.files} files costs ${(big.total / small.total).toFixed(2)}x the step on ${small.files} (diff+commit ${((big.diff + big.commit) / (small.diff + small.commit)).toFixed(2)}x)`);
}
console.log(JSON.stringify(rows));
