import { execFileSync } from 'node:child_process';
import { OciRunner } from '../../../runners/oci/oci-runner.js';
import { runnerSuite } from './runner-suite.js';

function has(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const notRoot = process.getuid?.() !== 0 ? 'the oci runner needs root' : undefined;
const skipRunc = notRoot ?? (has('runc') ? undefined : 'runc is not installed');
const skipCrun = notRoot ?? (has('crun') || has('runc') ? undefined : 'neither crun nor runc is installed');
for (const s of [skipRunc, skipCrun]) if (s) console.warn(`oci runner suite skipped: ${s}`);

runnerSuite({ name: 'oci (runc)', make: () => new OciRunner({ runtime: 'runc' }), expectedKinds: ['oci:runc'], skip: skipRunc });
// crun first; where crun cannot run containers (crun 1.8 on hybrid cgroups) the runner falls back to runc.
runnerSuite({ name: 'oci (crun, or runc as fallback)', make: () => new OciRunner({ runtime: 'crun' }), expectedKinds: ['oci:crun', 'oci:runc'], skip: skipCrun });
