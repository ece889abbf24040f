import type { Digest } from '../image/digest.js';
import type { HistoryEntry, ImageConfig } from '../image/oci.js';
import type { RunMount } from '../dockerfile/ir.js';
import type { CacheKeyRecord } from './cache-key.js';
import type { Platform } from './platform.js';

/** BaseImage is a FROM image as the planner needs it: its id (config digest) and config. */
export interface BaseImage {
  ref: string;
  id: Digest;
  config: ImageConfig;
}

/** BaseResolver finds images named by FROM and COPY --from (the executor backs it with the store). */
export interface BaseResolver {
  resolve(ref: string, platform: Platform): Promise<BaseImage>;
}

/** CopyFrom says where a COPY/ADD reads: the context, an earlier stage, or an image. */
export type CopyFrom = { kind: 'context' } | { kind: 'stage'; stage: number } | { kind: 'image'; image: BaseImage };

/** CopySourceSpec is a COPY/ADD source after expansion. */
export type CopySourceSpec = { kind: 'path'; path: string } | { kind: 'url'; url: string } | { kind: 'heredoc'; name: string; content: string };

/** StepOp is what a filesystem step does, every word expanded and every flag typed. */
export type StepOp =
  | { kind: 'from' }
  | {
      kind: 'copy';
      isAdd: boolean;
      from: CopyFrom;
      sources: CopySourceSpec[];
      dest: string;
      workdir: string;
      chown?: string;
      chmod?: number;
      link: boolean;
      parents: boolean;
      exclude: string[];
      checksum?: string;
      unpack?: boolean;
    }
  | { kind: 'workdir'; path: string; user: string }
  | {
      kind: 'run';
      args: string[];
      /** env: the process environment (config Env, then ARGs in scope, proxy args). */
      env: string[];
      workdir: string;
      user: string;
      network: 'default' | 'none' | 'host';
      mounts: RunMount[];
      /** mountFrom: stage indexes or images a `--mount from=` names, by the name written. */
      mountFrom: Record<string, CopyFrom>;
    };

/** PlannedStep is one step with a cache key: FROM, COPY, ADD, RUN or WORKDIR. */
export interface PlannedStep {
  /** id is `<stage index>/<position>`; position 0 is FROM. */
  id: string;
  stage: number;
  position: number;
  /** name is what progress shows: `[stage-1 2/5] COPY . /app` (BuildKit's vertex name). */
  name: string;
  /** text is the instruction after expansion, without the `[...]` prefix. */
  text: string;
  line: number;
  column: number;
  key: Digest;
  record: CacheKeyRecord;
  op: StepOp;
  /** noCache: --no-cache or --no-cache-filter names this stage. */
  noCache: boolean;
  /** noCacheFlag: which of them (`--no-cache`, `--no-cache-filter docs`), for the explained miss. */
  noCacheFlag?: string;
  /** historyIndex is the entry of the stage's history that gets this step's layer (-1 for FROM). */
  historyIndex: number;
}

/** PlannedStage is one stage the target needs. */
export interface PlannedStage {
  index: number;
  /** name: `AS name`, or `stage-N`; progress omits it for a single-stage Dockerfile. */
  name: string;
  base: { kind: 'scratch' } | { kind: 'image'; image: BaseImage } | { kind: 'stage'; stage: number };
  /** deps are the stages this one reads (its base, COPY --from, RUN --mount from=). */
  deps: number[];
  steps: PlannedStep[];
  /** config is the final image config of the stage, except rootfs and the `created` times. */
  config: ImageConfig;
  /** history is the stage's full history (base entries first); new entries have no `created` yet. */
  history: HistoryEntry[];
  /** baseHistoryLength: how many entries of `history` came from the base. */
  baseHistoryLength: number;
  /** finalKey is the key of the stage's last step (what COPY --from keys on). */
  finalKey: Digest;
}

/** Plan is a whole build: every needed stage in dependency order, and the target. */
export interface Plan {
  stages: PlannedStage[];
  target: number;
  platform: Platform;
  /** epoch is SOURCE_DATE_EPOCH (seconds) when set. */
  epoch?: number;
  /** unusedBuildArgs: --build-arg names no ARG consumed (BuildKit warns about them). */
  unusedBuildArgs: string[];
}
