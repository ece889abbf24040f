import type { Readable, Writable } from 'node:stream';

/**
 * Runner runs one process inside a root filesystem and resolves with how it ended. The builder (RUN)
 * and `strata run` use the same runners. A runner owns every namespace, mount and process it makes:
 * when `run` settles, nothing it mounted is left in the host's mount table and no process it started
 * is alive, whether the process succeeded, failed, or was aborted through `signal`.
 */
export interface Runner {
  /** kind names the implementation (before `run` has chosen between crun and runc it says 'oci:runc'). */
  readonly kind: RunnerKind;
  run(spec: RunSpec): Promise<RunResult>;
}

/** RunnerKind is the implementation that actually ran a process. */
export type RunnerKind = 'chroot' | 'rootless' | 'oci:runc' | 'oci:crun';

/** RunnerChoice is the value of `--runner`: auto picks chroot for root and rootless otherwise. */
export type RunnerChoice = 'auto' | 'chroot' | 'rootless' | 'oci';

/** OciRuntimeName is the value of `--runtime` for the oci runner. */
export type OciRuntimeName = 'crun' | 'runc';

/**
 * RootfsMount is one mount that builds the root filesystem, in containerd's shape (what a snapshotter's
 * `prepare` returns): `{type: 'overlay', source: 'overlay', options: ['lowerdir=..', 'upperdir=..',
 * 'workdir=..']}` or `{type: 'bind', source: DIR, options: ['rbind', 'rw']}`.
 */
export interface RootfsMount {
  type: 'overlay' | 'bind';
  source: string;
  options: string[];
}

/** Mount is one extra mount inside the container (RUN --mount, `strata run -v`). Targets are absolute, in the rootfs. */
export type Mount =
  | { type: 'bind'; source: string; target: string; readonly: boolean }
  | { type: 'tmpfs'; target: string; sizeBytes?: number; mode?: number };

/** UserSpec is the numeric identity the process runs as, already resolved against the image's /etc/passwd. */
export interface UserSpec {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

/** StdioSpec: a stream to pipe to/from, 'inherit' (the caller's own fd), or 'ignore'. */
export type StdinSpec = Readable | 'inherit' | 'ignore';
export type StdoutSpec = Writable | 'inherit' | 'ignore';

/**
 * RunSpec describes one process run.
 * - rootfs: a directory. When `rootfsMounts` is given, they are mounted on `rootfs` inside the runner's
 *   private mount namespace (so they vanish with it); otherwise `rootfs` is used as it is.
 * - args: argv, args[0] resolved through PATH in `env` when it has no slash.
 * - env: exactly the environment of the process ("K=V"); nothing of the host's leaks in.
 * - cwd: absolute path in the rootfs; created (owned by root) when missing, like Docker's WORKDIR.
 * - hostname: defaults to 'strata'. /etc/hosts, /etc/resolv.conf and /etc/hostname are bind-mounted over
 *   the rootfs's (never written into it, so they never end up in a layer).
 * - signal: aborting it kills the whole process tree; `run` then resolves with the signal.
 * - tty: give the process the caller's terminal (stdin/stdout must be 'inherit').
 */
export interface RunSpec {
  rootfs: string;
  rootfsMounts?: RootfsMount[];
  args: string[];
  env: string[];
  cwd: string;
  user: UserSpec;
  mounts: Mount[];
  network: 'host' | 'none';
  hostname?: string;
  /** extraHosts: more "name ip" lines for /etc/hosts. */
  extraHosts?: string[];
  stdin?: StdinSpec;
  stdout?: StdoutSpec;
  stderr?: StdoutSpec;
  signal?: AbortSignal;
  tty?: boolean;
}

/** RunResult: exitCode is the process's status, or 128+n when it died of signal n (then `signal` names it). */
export interface RunResult {
  exitCode: number;
  signal?: NodeJS.Signals;
  runner: RunnerKind;
}

/** RunnerOptions configure `selectRunner`. */
export interface RunnerOptions {
  /** runtime: preferred OCI runtime; crun falls back to runc when it fails on this host. Default crun. */
  runtime?: OciRuntimeName;
  /** stateDir: where the oci runner keeps bundles and runtime state (default under os.tmpdir()). */
  stateDir?: string;
}
