import { ChrootRunner } from '../../../runners/chroot/chroot-runner.js';
import { runnerSuite } from './runner-suite.js';

const notRoot = process.getuid?.() !== 0 ? 'the chroot runner needs root' : undefined;
if (notRoot) console.warn(`chroot runner suite skipped: ${notRoot}`);

runnerSuite({ name: 'chroot', make: () => new ChrootRunner(), expectedKinds: ['chroot'], skip: notRoot });
