import { describe, expect, it } from 'vitest';
import { selectRunner } from '../../../runners/select.js';

describe('selectRunner', () => {
  it('auto is chroot for root and rootless otherwise', () => {
    expect(selectRunner('auto').kind).toBe(process.getuid?.() === 0 ? 'chroot' : 'rootless');
  });

  it('names each explicit choice', () => {
    expect(selectRunner('chroot').kind).toBe('chroot');
    expect(selectRunner('rootless').kind).toBe('rootless');
    expect(selectRunner('oci').kind).toBe('oci:crun');
    expect(selectRunner('oci', { runtime: 'runc' }).kind).toBe('oci:runc');
  });
});
