import { NativeSnapshotter } from '../../../src/snapshot/native.js';
import { snapshotterSuite } from './snapshotter-suite.js';

const skip = process.getuid?.() !== 0 ? 'the suite chowns and mknods, which needs root' : undefined;
if (skip) console.warn(`native snapshotter suite skipped: ${skip}`);
snapshotterSuite('native', (root) => new NativeSnapshotter(root), skip);
