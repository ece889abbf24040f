import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSnapshotter, overlaySupported } from '../../../src/snapshot/select.js';

describe('createSnapshotter', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-select-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('auto picks overlay where the probe mounts one, native otherwise, and leaves no mount', () => {
    const sn = createSnapshotter('auto', join(root, 'snapshots'));
    expect(sn.name).toBe(overlaySupported(join(root, 'snapshots')) ? 'overlay' : 'native');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(root);
  });

  it.skipIf(process.getuid?.() !== 0)('as root on this ext4 host, overlay is supported', () => {
    expect(overlaySupported(join(root, 'snapshots'))).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('remembers a working overlay in the root for this kernel and user, and probes again when the record is stale', () => {
    const r = join(root, 'remember');
    expect(createSnapshotter('auto', r).name).toBe('overlay');
    const marker = join(r, 'overlay.ok');
    expect(readFileSync(marker, 'utf8')).toMatch(/^\S+ root (userxattr|trusted)\n$/);
    expect(createSnapshotter('overlay', r).name).toBe('overlay');
    writeFileSync(marker, 'another-kernel root trusted\n');
    expect(createSnapshotter('auto', r).name).toBe('overlay');
    expect(readFileSync(marker, 'utf8')).not.toContain('another-kernel');
  });

  it('native is always available', () => {
    expect(createSnapshotter('native', join(root, 'n')).name).toBe('native');
  });
});
