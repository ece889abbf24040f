import { describe, expect, it } from 'vitest';
import { relativeOverlayOptions } from '../../../runners/common/overlay-options.js';

describe('relativeOverlayOptions', () => {
  it('makes layer paths relative to their common directory', () => {
    expect(
      relativeOverlayOptions(['lowerdir=/var/lib/strata/snapshots/aa/fs:/var/lib/strata/snapshots/bb/fs', 'upperdir=/var/lib/strata/snapshots/cc/fs', 'workdir=/var/lib/strata/snapshots/cc/work', 'index=off']),
    ).toEqual({ cwd: '/var/lib/strata/snapshots', options: ['lowerdir=aa/fs:bb/fs', 'upperdir=cc/fs', 'workdir=cc/work', 'index=off'] });
  });

  it('keeps options without paths, and paths with nothing in common but /', () => {
    expect(relativeOverlayOptions(['lowerdir=/a/x:/b/y'])).toEqual({ cwd: '/', options: ['lowerdir=a/x:b/y'] });
    expect(relativeOverlayOptions(['ro'])).toEqual({ cwd: '/', options: ['ro'] });
  });
});
