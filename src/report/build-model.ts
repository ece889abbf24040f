import type { BuildRecord } from '../store/records.js';
import { StrataError } from '../util/errors.js';

/** StepStatus is how a step ended ('base' is a FROM: nothing built, nothing cached). */
export type StepStatus = 'base' | 'cached' | 'built' | 'failed';

/** DURATION_PARTS are the phases a step's time splits into, in the order they happen. */
export const DURATION_PARTS = ['context', 'cacheLookup', 'run', 'diff', 'compression', 'export'] as const;
export type DurationPart = (typeof DURATION_PARTS)[number];

/** PART_LABELS name the duration parts for people. */
export const PART_LABELS: Record<DurationPart, string> = {
  context: 'context hashing',
  cacheLookup: 'cache lookup',
  run: 'RUN',
  diff: 'diff',
  compression: 'compression',
  export: 'export',
};

/** BuildStepView is one step as a build report shows it; `startMs` counts from the build's start. */
export interface BuildStepView {
  id: string;
  name: string;
  stage: string;
  status: StepStatus;
  reason?: string;
  key?: string;
  startMs: number;
  durationMs: number;
  parts?: Partial<Record<DurationPart, number>>;
  layerSize?: number;
  layerDigest?: string;
  error?: string;
}

/** BuildReport is a build record made ready to render. */
export interface BuildReport {
  id: string;
  status: 'done' | 'error';
  file: string;
  target?: string;
  platform: string;
  imageId?: string;
  tags: string[];
  started: number;
  durationMs: number;
  error?: string;
  steps: BuildStepView[];
  counts: { steps: number; cached: number; built: number; failed: number };
  /**
   * timesEstimated: the record has no per-step start times, so each step is placed after the
   * previous step of its stage and after the stages it names (`FROM x`, `--from=x`), which is
   * how the executor schedules them.
   */
  timesEstimated: boolean;
}

/** BuildRecordError: a stored build record does not have the shape a report needs. */
export class BuildRecordError extends StrataError {
  constructor(id: string, detail: string) {
    super('BUILD_RECORD_INVALID', `build record ${id}: ${detail}`);
  }
}

/**
 * buildReportFromRecord reads a stored build record (written by src/build; read here by shape,
 * so report does not depend on the builder). Optional per-step fields it uses when present:
 * `startedAt` (epoch ms) for the timeline and `parts` ({context, cacheLookup, run, diff,
 * compression, export} in ms) for the duration split.
 */
export function buildReportFromRecord(record: BuildRecord): BuildReport {
  const body = record.record as Record<string, unknown> | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.steps)) throw new BuildRecordError(record.id, 'no steps recorded');
  const raw = body.steps as Array<Record<string, unknown>>;
  const timesKnown = raw.length > 0 && raw.every((step) => typeof step.startedAt === 'number');
  const steps = raw.map((step, i) => toStepView(record.id, step, i, timesKnown ? (step.startedAt as number) - record.started : 0));
  if (!timesKnown) estimateStarts(steps);
  const durationMs = num(body.durationMs) ?? (record.finished !== undefined ? record.finished - record.started : Math.max(0, ...steps.map((s) => s.startMs + s.durationMs)));
  const report: BuildReport = {
    id: record.id,
    status: body.status === 'error' ? 'error' : 'done',
    file: str(body.file) ?? 'Dockerfile',
    platform: str(body.platform) ?? '',
    tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
    started: record.started,
    durationMs,
    steps,
    counts: {
      steps: steps.length,
      cached: steps.filter((s) => s.status === 'cached').length,
      built: steps.filter((s) => s.status === 'built').length,
      failed: steps.filter((s) => s.status === 'failed').length,
    },
    timesEstimated: !timesKnown,
  };
  const target = str(body.target);
  if (target !== undefined) report.target = target;
  const imageId = str(body.imageId);
  if (imageId !== undefined) report.imageId = imageId;
  const error = str(body.error);
  if (error !== undefined) report.error = error;
  return report;
}

function toStepView(buildId: string, step: Record<string, unknown>, i: number, startMs: number): BuildStepView {
  const status = step.status;
  if (status !== 'base' && status !== 'cached' && status !== 'built' && status !== 'failed') {
    throw new BuildRecordError(buildId, `step ${i + 1} has an unknown status ${JSON.stringify(status)}`);
  }
  const view: BuildStepView = {
    id: str(step.id) ?? String(i),
    name: str(step.name) ?? `step ${i + 1}`,
    stage: str(step.stage) ?? '',
    status,
    startMs,
    durationMs: num(step.durationMs) ?? 0,
  };
  const reason = str(step.reason);
  if (reason !== undefined) view.reason = reason;
  const key = str(step.key);
  if (key !== undefined) view.key = key;
  const error = str(step.error);
  if (error !== undefined) view.error = error;
  const layer = step.layer as Record<string, unknown> | undefined;
  if (layer && typeof layer === 'object') {
    const size = num(layer.size);
    if (size !== undefined) view.layerSize = size;
    const digest = str(layer.digest);
    if (digest !== undefined) view.layerDigest = digest;
  }
  const parts = step.parts as Record<string, unknown> | undefined;
  if (parts && typeof parts === 'object') {
    const picked: Partial<Record<DurationPart, number>> = {};
    for (const part of DURATION_PARTS) {
      const value = num(parts[part]);
      if (value !== undefined) picked[part] = value;
    }
    view.parts = picked;
  }
  return view;
}

/**
 * estimateStarts places steps in time when the record has durations only: a stage's steps run
 * one after another, and a step that names another stage (`FROM builder`, `COPY --from=builder`)
 * starts once that stage has finished; stages with no such link start at 0, in parallel.
 */
function estimateStarts(steps: BuildStepView[]): void {
  const stageEnd = new Map<string, number>();
  const stageNames = new Set(steps.map((s) => s.stage));
  const byStage = new Map<string, BuildStepView[]>();
  for (const step of steps) (byStage.get(step.stage) ?? byStage.set(step.stage, []).get(step.stage)!).push(step);
  const done = new Set<string>();
  // stages settle in dependency order; a cycle (which a valid plan never has) falls back to 0
  for (let pass = 0; pass <= byStage.size && done.size < byStage.size; pass++) {
    for (const [stage, list] of byStage) {
      if (done.has(stage)) continue;
      const deps = list.flatMap((step) => namedStages(step.name).filter((name) => name !== stage && stageNames.has(name)));
      if (pass < byStage.size && deps.some((dep) => !done.has(dep))) continue;
      let clock = 0;
      for (const step of list) {
        const after = namedStages(step.name).map((name) => stageEnd.get(name) ?? 0);
        step.startMs = Math.max(clock, ...after);
        clock = step.startMs + step.durationMs;
      }
      stageEnd.set(stage, clock);
      done.add(stage);
    }
  }
}

/** namedStages finds stage names a step's text refers to: `FROM name` and `--from=name`. */
function namedStages(name: string): string[] {
  const text = name.replace(/^\[[^\]]*\]\s*/, '');
  const found: string[] = [];
  const from = /^FROM\s+(?:--\S+\s+)*(\S+)/i.exec(text);
  if (from?.[1]) found.push(from[1].toLowerCase());
  for (const match of text.matchAll(/--from=(\S+)/gi)) if (match[1]) found.push(match[1].toLowerCase());
  return found;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
