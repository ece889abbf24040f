import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainId, DIFF_ID_LABEL } from '../../src/build/snapshots.js';
import { createSnapshotter } from '../../src/snapshot/select.js';
import type { SnapshotInfo } from '../../src/snapshot/types.js';
import { busyboxRootfsTar } from '../helpers/busybox.js';
import { strataOk } from '../helpers/strata-cli.js';

const isRoot = process.getuid?.() === 0;

/** committed lists the committed snapshots of the store's (auto-chosen) snapshotter. */
async function committed(root: string): Promise<SnapshotInfo[]> {
  return (await createSnapshotter('auto', join(root, 'snapshots')).list()).filter((s) => s.kind === 'committed');
}

describe.skipIf(!isRoot)('snapshot garbage collection (CLI, as root)', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'strata-snapgc-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('keeps the snapshots of layers still in the store and removes the rest after rmi and builder prune', async () => {
    const root = join(work, 'store');
    const ctx = join(work, 'ctx');
    strataOk(root, ['import', busyboxRootfsTar(), 'busybox:latest']);
    const base = await committed(root);
    expect(base).toHaveLength(1); // unpacked on import, labelled with its layer
    expect(base[0]!.labels?.[DIFF_ID_LABEL]).toBe(base[0]!.key);

    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'f.txt'), 'f');
    // COPY before RUN: the COPY layer is captured into a snapshot; the RUN commits another
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY f.txt /f.txt\nRUN echo built > /built\n');
    strataOk(root, ['build', '-q', '-t', 'app', ctx]);
    const afterBuild = await committed(root);
    expect(afterBuild).toHaveLength(3);
    expect(afterBuild.every((s) => s.labels?.[DIFF_ID_LABEL]?.startsWith('sha256:'))).toBe(true);

    // the image still holds every layer: nothing is removed
    strataOk(root, ['builder', 'prune', '-f']);
    expect((await committed(root)).map((s) => s.key).sort()).toEqual(afterBuild.map((s) => s.key).sort());

    // once the image and its cache are gone, only the base's snapshot stays, and builds still work
    strataOk(root, ['rmi', 'app']);
    strataOk(root, ['builder', 'prune', '-f']);
    expect((await committed(root)).map((s) => s.key)).toEqual([base[0]!.key]);
    strataOk(root, ['build', '-q', '-t', 'app', ctx]);
    expect(await committed(root)).toHaveLength(3);
  });

  it('names every snapshot by its chain id, captured layers too, so a later build and a COPY --from stage reuse them', async () => {
    const root = join(work, 'store-chain');
    const ctx = join(work, 'ctx-chain');
    strataOk(root, ['import', busyboxRootfsTar(), 'busybox:latest']);
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'f.txt'), 'f');
    const dockerfile = (run: string) =>
      `FROM busybox AS gen\nCOPY f.txt /f.txt\nRUN ${run}\nFROM busybox\nCOPY --from=gen /built /built\n`;
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile('echo one > /built'));
    strataOk(root, ['build', '-q', '-t', 'app', ctx]);
    const first = await committed(root);
    // busybox, the captured COPY, the RUN (the final COPY has no RUN after it and is not unpacked)
    expect(first).toHaveLength(3);
    const byKey = new Map(first.map((s) => [s.key, s]));
    for (const s of first) {
      const diffID = s.labels?.[DIFF_ID_LABEL];
      expect(s.key).toBe(s.parent === undefined ? diffID : chainId(byKey.get(s.parent)!.key, diffID!));
    }
    // a new process whose RUN changed: the cached COPY's snapshot is found by name, not unpacked again
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile('echo two > /built'));
    strataOk(root, ['build', '-q', '-t', 'app', ctx]);
    const second = await committed(root);
    expect(second).toHaveLength(4);
    expect(second.filter((s) => !byKey.has(s.key))).toHaveLength(1);
  });
});
