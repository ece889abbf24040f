import type { Digest } from '../../image/digest.js';
import type { SnapshotterName } from '../../snapshot/types.js';

/** ContainerStatus follows docker's states that a daemonless engine can have. */
export type ContainerStatus = 'created' | 'running' | 'exited';

/**
 * ContainerState is what the store keeps of a container (the `record` JSON of its row): how to start
 * its process again and where its writable snapshot is.
 */
export interface ContainerState {
  id: string;
  name: string;
  imageId: Digest;
  /** imageRef is the image as the user named it (the IMAGE column of `ps`). */
  imageRef: string;
  /** entrypoint and cmd make the process's argv (entrypoint then cmd); env is its whole environment. */
  entrypoint: string[];
  cmd: string[];
  env: string[];
  cwd: string;
  user: string;
  network: 'host' | 'none';
  snapshotter: SnapshotterName;
  snapshotKey: string;
  created: number;
  status: ContainerStatus;
  exitCode?: number;
  /** pid is the strata process running the container (it owns the runner's process tree). */
  pid?: number;
  startedAt?: number;
  finishedAt?: number;
}
