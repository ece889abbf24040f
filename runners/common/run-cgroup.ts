import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// Each run gets its own cgroup of the cpu controller, as Docker and BuildKit give every container one.
// The scheduler then shares the CPU between cgroups first: two RUN steps of parallel stages get a core
// each however many processes each one starts, instead of a share per process. Without it a stage whose
// RUN is a pipeline of three processes took two thirds of the machine from a stage running one process
// at a time (w3's `docs` step ended 0.3 s later than under BuildKit), and the work that waits on that
// stage (its layer, the COPY --from it) was pushed back past the other stage's end. As with Docker's
// /docker, all runs together weigh one default share against the cgroups beside `strata`.

/** RunCgroup: the run's cgroup directory and the one the keeper returns to once the process has started. */
export interface RunCgroup {
  dir: string;
  home: string;
}

interface CpuHierarchy {
  /** mount: where the hierarchy holding the cpu controller is mounted. */
  mount: string;
  /** own: this process's cgroup in it, relative to the mount. */
  own: string;
  v2: boolean;
}

/** cpuHierarchy finds the hierarchy with the cpu controller: cgroup v1's `cpu` (hybrid hosts) or v2's. */
async function cpuHierarchy(): Promise<CpuHierarchy | undefined> {
  const [mountinfo, own] = await Promise.all([readFile('/proc/self/mountinfo', 'utf8'), readFile('/proc/self/cgroup', 'utf8')]);
  let v1: string | undefined;
  let v2: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (pre === undefined || post === undefined) continue;
    const [fstype, , superOpts = ''] = post.split(' ');
    const mountPoint = pre.split(' ')[4];
    if (mountPoint === undefined) continue;
    if (fstype === 'cgroup' && superOpts.split(',').includes('cpu')) v1 ??= mountPoint;
    if (fstype === 'cgroup2') v2 ??= mountPoint;
  }
  const ownIn = (match: (controllers: string) => boolean): string | undefined => {
    for (const line of own.split('\n')) {
      const m = /^\d+:([^:]*):(.*)$/.exec(line);
      if (m && match(m[1]!)) return m[2]!;
    }
    return undefined;
  };
  if (v1 !== undefined) {
    const path = ownIn((c) => c.split(',').includes('cpu'));
    if (path !== undefined) return { mount: v1, own: path, v2: false };
  }
  if (v2 !== undefined) {
    const controllers = await readFile(join(v2, 'cgroup.controllers'), 'utf8').catch(() => '');
    const path = ownIn((c) => c === '');
    if (controllers.split(/\s+/).includes('cpu') && path !== undefined) return { mount: v2, own: path, v2: true };
  }
  return undefined;
}

/** hierarchy: found once per process (every RUN step asks). */
let hierarchy: Promise<CpuHierarchy | undefined> | undefined;

/**
 * makeRunCgroup creates `strata/run-<random>` at the top of the cpu hierarchy (at the top because cgroup
 * v2 lets no cgroup both hold processes and hand its controllers to children, and ours holds strata),
 * or returns undefined where there is none or it is not writable (a container, no root): the run then
 * shares its parent's cgroup, as before.
 */
export async function makeRunCgroup(): Promise<RunCgroup | undefined> {
  try {
    hierarchy ??= cpuHierarchy();
    const h = await hierarchy;
    if (h === undefined) return undefined;
    const parent = join(h.mount, 'strata');
    await mkdir(parent, { recursive: true });
    if (h.v2) await writeFile(join(parent, 'cgroup.subtree_control'), '+cpu').catch(() => undefined);
    const dir = join(parent, `run-${randomBytes(6).toString('hex')}`);
    await mkdir(dir);
    return { dir, home: join(h.mount, h.own) };
  } catch {
    return undefined;
  }
}

/** removeRunCgroup removes the run's cgroup if the keeper could not (it is gone with its processes). */
export async function removeRunCgroup(cg: RunCgroup): Promise<void> {
  await rmdir(cg.dir).catch(() => undefined);
}
