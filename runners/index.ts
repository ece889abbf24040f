export type {
  Mount, OciRuntimeName, RootfsMount, RunResult, RunSpec, Runner, RunnerChoice, RunnerKind, RunnerOptions,
  StdinSpec, StdoutSpec, UserSpec,
} from './types.js';
export { selectRunner } from './select.js';
export { ChrootRunner } from './chroot/chroot-runner.js';
export { RootlessRunner } from './rootless/rootless-runner.js';
export { usernsPlan, type UsernsPlan } from './rootless/userns-args.js';
export { OciRunner } from './oci/oci-runner.js';
export { PathEscapeError, RunnerError, RunnerUnavailableError } from './errors.js';
