import type { CompactIndex } from './layer-index-view.js';
import type { Readable } from 'node:stream';
import type { Digest } from '../image/digest.js';
import type { Descriptor, ImageConfig } from '../image/oci.js';
import type { Platform } from '../plan/platform.js';
import type { PlannedStep } from '../plan/types.js';
import type { FsView } from './fs-view.js';
import type { RunMountSources } from './run-mounts.js';

/** OutputSpec is one `--output`: type=docker|oci|tar,dest=FILE or type=local,dest=DIR. */
export type OutputSpec = { type: 'docker' | 'oci' | 'tar'; dest: string } | { type: 'local'; dest: string };

/** ChainLayer is one layer of a stage's filesystem, bottom first. */
export interface ChainLayer {
  descriptor: Descriptor;
  diffID: Digest;
  uncompressedSize?: number;
}

/** StepStatus is how a step ended ('base' is a FROM: nothing to build or cache). */
export type StepStatus = 'base' | 'cached' | 'built' | 'failed';

/** StepResult is one step of a finished (or failed) build, as the build record keeps it. */
export interface StepResult {
  id: string;
  name: string;
  stage: string;
  key: string;
  status: StepStatus;
  /** reason: why the step ran ('--no-cache', 'no cache record', ...); absent when cached. */
  reason?: string;
  durationMs: number;
  /** startedAt is when the step started (epoch ms), for timelines. */
  startedAt: number;
  /** parts splits durationMs: cache lookup, RUN (the process), compression (layer tar + gzip + store). */
  parts?: { cacheLookup?: number; run?: number; compression?: number };
  layer?: { digest: string; diffID: string; size: number };
  error?: string;
}

/** BuildResult is what a successful build returns. */
export interface BuildResult {
  buildId: string;
  imageId: Digest;
  manifestDigest: Digest;
  config: ImageConfig;
  steps: StepResult[];
  tags: string[];
  durationMs: number;
}

/**
 * RunContext is what a RUN step's handler gets: the step, the parent layers, a way to look at the
 * parent filesystem, and where to report output lines.
 */
export interface RunContext {
  step: PlannedStep;
  parent: ChainLayer[];
  parentView: () => Promise<FsView>;
  log: (line: string) => void;
  signal?: AbortSignal;
  epoch?: number;
  /** mountSources: where RUN --mount=type=bind (and cache from=) read the context, stages and images. */
  mountSources?: RunMountSources;
}

/**
 * RunHandler runs a RUN step and returns the layer tar of its changes (the seam where the runners
 * and snapshotters of src/snapshot plug in). `finish` is called once the layer is stored (with
 * its diffID) or the step failed (without), so the handler can commit or drop its snapshot.
 */
export interface RunHandler {
  /** index, when given, returns the layer's compact index once the tar has been read to its end. */
  run(ctx: RunContext): Promise<{ tar: Readable; finish: (diffID?: string) => Promise<void>; index?: () => CompactIndex }>;
}

/** CacheStepResult is the `result` of a step's cache record in the store. */
export interface CacheStepResult {
  layer: Descriptor;
  diffID: Digest;
  uncompressedSize: number;
  /** created is when the layer was made (RFC 3339); history entries of cached steps reuse it. */
  created: string;
  /** index is the layer's directories, links and user files (see CompactIndex). */
  index?: unknown;
}

export type { Platform };
