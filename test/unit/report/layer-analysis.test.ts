import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LayerEntryError, LayerUnreadableError } from '../../../src/report/errors.js';
import { analyzeLayers } from '../../../src/report/layer-analysis.js';
import { Readable } from 'node:stream';
import { busyboxRootfsTar } from '../../helpers/busybox.js';
import { craftedLayers, MB } from '../../fixtures/report/crafted-image.js';
import { testLayer } from '../../fixtures/report/layer-tar.js';

const crafted = craftedLayers();

describe('analyzeLayers', () => {
  it('computes wasted bytes and efficiency of a crafted image exactly as dive defines them', async () => {
    const report = await analyzeLayers(crafted);
    // dive observes each layer's leaves. Per path: [sizes seen] → min / sum
    //   /bin/sh       [1000]        → 1000 / 1000
    //   /etc/config   [100, 250]    → 100 / 350        (seen twice: inefficient)
    //   /data/big     [1 MiB, 0]    → 0 / 1 MiB         (a whiteout of a file weighs 0; twice: inefficient)
    //   /tmp/cache/a  [300]         → 300 / 300
    //   /tmp/cache/b  [200]         → 200 / 200
    //   /tmp          [500]         → 500 / 500        (a whiteout of a directory weighs its subtree)
    const minimum = 1000 + 100 + 0 + 300 + 200 + 500;
    const discovered = 1000 + 350 + MB + 300 + 200 + 500;
    expect(report.efficiency).toBe(minimum / discovered);
    expect(report.diveWastedBytes).toBe(350 + MB);
    // layer sizes (sum of entry sizes): 1100, 1 MiB + 250, 500, 0
    expect(report.layers.map((layer) => layer.sizeBytes)).toEqual([1100, MB + 250, 500, 0]);
    expect(report.sizeBytes).toBe(1100 + MB + 250 + 500);
    expect(report.userSizeBytes).toBe(MB + 250 + 500);
    expect(report.userWastedPercent).toBe((350 + MB) / (MB + 250 + 500));
    // issue 7's wasted bytes: files overwritten or removed by later layers:
    //   /etc/config 100 (overwritten), /data/big 1 MiB (removed), /tmp/cache/a+b 500 (removed)
    expect(report.wastedBytes).toBe(100 + MB + 500);
    expect(report.inefficiencies).toEqual([
      { path: '/data/big', occurrences: 2, cumulativeBytes: MB, minBytes: 0 },
      { path: '/etc/config', occurrences: 2, cumulativeBytes: 350, minBytes: 100 },
    ]);
  });

  it('counts files added, modified and removed per layer and lists the biggest', async () => {
    const report = await analyzeLayers(crafted, { biggestFiles: 1 });
    const counts = report.layers.map((l) => [l.filesAdded, l.filesModified, l.filesRemoved, l.removedBytes]);
    expect(counts).toEqual([
      [2, 0, 0, 0],
      [1, 1, 0, 100],
      [2, 0, 1, MB],
      [0, 0, 2, 500],
    ]);
    expect(report.layers.map((l) => l.hiddenLaterBytes)).toEqual([100, MB, 500, 0]);
    expect(report.layers[1]?.biggestFiles).toEqual([{ path: 'data/big', change: 'added', type: 'file', sizeBytes: MB }]);
    expect(report.layers[3]?.changes).toEqual([{ path: 'tmp', change: 'removed', type: 'dir', sizeBytes: 500 }]);
    expect(report.layers[2]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
      'modified data',
      'removed data/big',
      'added tmp',
      'added tmp/cache',
      'added tmp/cache/a',
      'added tmp/cache/b',
    ]);
  });

  it('handles an opaque directory: lower contents removed, not an efficiency observation (as in dive)', async () => {
    const report = await analyzeLayers([
      testLayer('base', [{ dir: 'etc/' }, { file: 'etc/a', size: 10 }, { file: 'etc/b', size: 20 }]),
      testLayer('opaque', [{ dir: 'etc/' }, { opaque: 'etc' }, { file: 'etc/c', size: 5 }]),
    ]);
    expect(report.layers[1]).toMatchObject({ filesAdded: 1, filesRemoved: 2, removedBytes: 30 });
    expect(report.efficiency).toBe(1);
    expect(report.diveWastedBytes).toBe(0);
    expect(report.wastedBytes).toBe(30);
  });

  it('scores a one-layer image 1 with no waste', async () => {
    const report = await analyzeLayers([testLayer('only', [{ file: 'a', size: 5 }, { symlink: 'b', target: 'a' }])]);
    expect(report).toMatchObject({ efficiency: 1, wastedBytes: 0, userSizeBytes: 0, userWastedPercent: 0, sizeBytes: 5 });
  });

  it('reads a real busybox root filesystem', async () => {
    const tarPath = busyboxRootfsTar();
    const report = await analyzeLayers([{ createdBy: 'busybox', compressedSize: 0, open: () => createReadStream(tarPath) }]);
    const layer = report.layers[0];
    expect(layer?.filesAdded).toBeGreaterThan(100);
    expect(layer?.biggestFiles[0]?.path).toBe('bin/busybox');
    expect(report.efficiency).toBe(1);
  });

  it('refuses a tar entry that climbs out of the root, naming it', async () => {
    const bad = testLayer('bad', [{ file: '../evil', size: 1 }]);
    await expect(analyzeLayers([bad])).rejects.toThrow(LayerEntryError);
    await expect(analyzeLayers([bad])).rejects.toThrow(/layer 1: tar entry "..\/evil" escapes the root/);
  });

  it('refuses a truncated layer with a located one-line error', async () => {
    const whole: Buffer[] = [];
    for await (const chunk of testLayer('t', [{ file: 'a', size: 4096 }]).open() as Readable) whole.push(chunk as Buffer);
    const truncated = Buffer.concat(whole).subarray(0, 1024);
    const layer = { createdBy: 't', compressedSize: 0, digest: `sha256:${'ab'.repeat(32)}`, open: () => Readable.from([truncated]) };
    await expect(analyzeLayers([layer])).rejects.toThrow(LayerUnreadableError);
    await expect(analyzeLayers([layer])).rejects.toThrow(/^layer 1 \(sha256:abababababab\): reading the layer tar/);
  });
});
