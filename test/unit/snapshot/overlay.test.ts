import { tmpdir } from 'node:os';
import { OverlaySnapshotter } from '../../../src/snapshot/overlay.js';
import { overlaySupported } from '../../../src/snapshot/select.js';
import { snapshotterSuite } from './snapshotter-suite.js';

const skip = process.getuid?.() !== 0 ? 'the overlay suite mounts on the host and needs root' : !overlaySupported(tmpdir()) ? 'no overlayfs on this kernel/filesystem' : undefined;
if (skip) console.warn(`overlay snapshotter suite skipped: ${skip}`);
snapshotterSuite('overlay', (root) => new OverlaySnapshotter(root), skip);
