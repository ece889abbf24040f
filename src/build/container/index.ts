export { commitContainer, type CommitOptions } from './commit.js';
export { ContainerConflictError, NoCommandError, NoSuchContainerError } from './errors.js';
export { createContainer, findContainer, listContainerStates, removeContainer, saveContainer, snapshotterOf, startContainer, type CreateOptions, type StartOptions } from './lifecycle.js';
export { generateName } from './names.js';
export { DEFAULT_PATH, mergeEnv, processSpec, type ProcessOverrides, type ProcessSpec } from './process-spec.js';
export type { ContainerState, ContainerStatus } from './types.js';
