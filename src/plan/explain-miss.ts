import type { CacheKeyRecord } from './cache-key.js';
import type { Plan, PlannedStage, PlannedStep } from './types.js';

/**
 * MissTense: a build explains what happened ("parent step 2 was rebuilt"); `strata plan`
 * explains what will happen ("parent step 2 will be rebuilt").
 */
export type MissTense = 'past' | 'future';

/** RecordSource gives the explainer earlier cache records (newest use first) and key lookups. */
export interface RecordSource {
  records(): CacheKeyRecord[];
  /** hasRecord: a record exists for this exact key (its layer may have been collected). */
  hasRecord(key: string): boolean;
}

/** MissExplainer names the cause of a miss; `miss` must be called for every step that misses, in plan order. */
export interface MissExplainer {
  explain(step: PlannedStep): string;
}

/** FIRST_BUILD is the reason of a step no earlier record resembles. */
export const FIRST_BUILD = 'first build of this step';

/** MAX_NAMED_FILES bounds how many file names one reason lists. */
const MAX_NAMED_FILES = 5;

/**
 * originOf is a Dockerfile's identity across builds: the context root and the file's name in it,
 * so "the same step" means the same stage and position of the same Dockerfile.
 */
export function originOf(contextRoot: string | undefined, file: string): string {
  return `${contextRoot ?? '-'}::${file}`;
}

/** tagPlan adds the step identity and the stage's base to every step's recorded detail (not hashed). */
export function tagPlan(plan: Plan, origin: string): void {
  for (const stage of plan.stages) {
    const base = stage.steps[0]?.record.inputs.base;
    for (const step of stage.steps) {
      step.record.detail.origin = origin;
      if (base) step.record.detail.base = base;
    }
  }
}

/**
 * missExplainer compares a missing step's key inputs with the closest earlier record of the same
 * step: same Dockerfile, stage and position first (preferring one with the same parent, whose
 * difference is then the step's own), else the same stage and position with the same text, else
 * the same instruction text anywhere.
 */
export function missExplainer(plan: Plan, source: RecordSource, tense: MissTense = 'past'): MissExplainer {
  const missed = new Set<string>();
  const byKey = new Map<string, { step: PlannedStep; stage: PlannedStage }>();
  for (const stage of plan.stages) for (const step of stage.steps) byKey.set(step.key, { step, stage });
  let all: CacheKeyRecord[] | undefined;
  const records = (): CacheKeyRecord[] => (all ??= source.records().filter((r) => r && typeof r === 'object' && r.inputs && r.detail));
  const rebuilt = tense === 'past' ? 'was rebuilt' : 'will be rebuilt';

  return {
    explain(step) {
      missed.add(step.key);
      if (step.noCache) return step.noCacheFlag ?? '--no-cache';
      if (source.hasRecord(step.key)) return 'its cached layer was removed (pruned)';
      const cand = closest(records(), step);
      const stage = byKey.get(step.key)?.stage;
      const parentKey = step.record.inputs.parent;
      const parent = parentKey ? byKey.get(parentKey) : undefined;
      const parentMissed = parent !== undefined && (missed.has(parent.step.key) || parent.step.noCache);
      if (!cand) {
        // no record of this step: if its parent is new too, that is the cause worth naming
        if (parentMissed && parent.step.op.kind !== 'from') return `parent step ${parent.step.position + 1} ${rebuilt}`;
        return FIRST_BUILD;
      }
      const own = diffInputs(cand, step.record);
      // a new parent decides the key on its own; the step's own changes, if any, are named first
      const withOwn = (cause: string): string => [...own, cause].join('; ');
      if (cand.inputs.parent !== parentKey) {
        if (parent?.step.op.kind === 'from' || step.position === 1) {
          const was = cand.detail.base;
          const now = step.record.detail.base ?? stage?.steps[0]?.record.inputs.base;
          if (stage?.base.kind === 'stage') return withOwn(`base stage ${now?.ref.replace(/^stage /, '') ?? ''} ${rebuilt}`.replace('  ', ' '));
          if (now && was && was.ref === now.ref) return withOwn(`base image ${now.ref} now resolves to ${now.digest}`);
          if (now && was) return withOwn(`base image changed: ${was.ref} → ${now.ref}`);
          if (now) return withOwn(`base image ${now.ref} (${now.digest}) differs from the last build's`);
        }
        if (parentMissed && parent) return withOwn(`parent step ${parent.step.position + 1} ${rebuilt}`);
      }
      if (own.length > 0) return own.join('; ');
      if (cand.inputs.parent !== parentKey && parent) return `parent step ${parent.step.position + 1} changed`;
      return 'cache key inputs changed';
    },
  };
}

function closest(records: CacheKeyRecord[], step: PlannedStep): CacheKeyRecord | undefined {
  const d = step.record.detail;
  const samePlace = (r: CacheKeyRecord): boolean => r.detail.stage === d.stage && r.detail.index === d.index;
  const others = records.filter((r) => r.key !== step.key);
  const tier1 = others.filter((r) => samePlace(r) && d.origin !== undefined && r.detail.origin === d.origin);
  const tier2 = others.filter((r) => samePlace(r) && r.inputs.instruction === step.record.inputs.instruction);
  const tier3 = others.filter((r) => r.inputs.instruction === step.record.inputs.instruction);
  for (const tier of [tier1, tier2, tier3]) {
    if (tier.length === 0) continue;
    return tier.find((r) => r.inputs.parent === step.record.inputs.parent) ?? tier[0];
  }
  return undefined;
}

/** diffInputs names every difference between a step's own inputs and an earlier record's. */
export function diffInputs(was: CacheKeyRecord, now: CacheKeyRecord): string[] {
  const out: string[] = [];
  const a = was.inputs;
  const b = now.inputs;
  const argNames = new Set([...Object.keys(a.args ?? {}), ...Object.keys(b.args ?? {})]);
  for (const name of [...argNames].sort()) {
    const x = a.args?.[name];
    const y = b.args?.[name];
    if (x === y) continue;
    if (x === undefined) out.push(`ARG ${name} set: ${y}`);
    else if (y === undefined) out.push(`ARG ${name} unset (was ${x})`);
    else out.push(`ARG ${name} changed: ${x} → ${y}`);
  }
  const envA = envMap(a.env ?? []);
  const envB = envMap(b.env ?? []);
  const envChanged = [...new Set([...envA.keys(), ...envB.keys()])].filter((k) => envA.get(k) !== envB.get(k) && !argNames.has(k)).sort();
  if (envChanged.length > 0) out.push(`ENV ${envChanged.join(', ')} changed`);
  if (a.instruction !== b.instruction && out.length === 0) out.push(`instruction changed (was: ${a.instruction})`);
  out.push(...diffSources(was, now));
  const opA = (a.op ?? {}) as Record<string, unknown>;
  const opB = (b.op ?? {}) as Record<string, unknown>;
  const opChanged = [...new Set([...Object.keys(opA), ...Object.keys(opB)])].filter((k) => JSON.stringify(opA[k]) !== JSON.stringify(opB[k]));
  for (const k of opChanged.sort()) {
    if (k === 'ignore') out.push('.dockerignore changed');
    else if (k === 'workdir' || k === 'user') out.push(`${k === 'workdir' ? 'WORKDIR' : 'USER'} changed: ${show(opA[k])} → ${show(opB[k])}`);
    else if (a.instruction === b.instruction) out.push(`option ${k} changed`);
  }
  if (a.platform !== b.platform) out.push(`platform changed: ${a.platform} → ${b.platform}`);
  return out;
}

function show(v: unknown): string {
  return v === '' || v === undefined || v === null ? '(default)' : String(v);
}

function envMap(env: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

/** diffSources explains changed COPY/ADD sources, naming files from the recorded per-file checksums. */
function diffSources(was: CacheKeyRecord, now: CacheKeyRecord): string[] {
  const a = was.inputs.sources ?? {};
  const b = now.inputs.sources ?? {};
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const other: string[] = [];
  for (const src of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[src] === b[src]) continue;
    if (src.startsWith('mount:')) {
      other.push(`stage mounted as ${src.slice(6)} changed`);
      continue;
    }
    if (src.startsWith('<<')) {
      other.push(`heredoc ${src} changed`);
      continue;
    }
    const fa = was.detail.files?.[src];
    const fb = now.detail.files?.[src];
    if (fa && fb) {
      for (const f of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) {
        if (fa[f] === fb[f]) continue;
        if (fa[f] === undefined) added.push(f);
        else if (fb[f] === undefined) removed.push(f);
        else changed.push(f);
      }
    } else if (a[src] === undefined) added.push(src);
    else if (b[src] === undefined || b[src] === 'missing') removed.push(src);
    else if (/^sha256:[0-9a-f]{64}:/.test(b[src] ?? '')) other.push(`source ${src} comes from a rebuilt stage or image`);
    else changed.push(src);
  }
  const out: string[] = [];
  const names = (l: string[]): string => `${l.slice(0, MAX_NAMED_FILES).join(', ')}${l.length > MAX_NAMED_FILES ? `, … ${l.length - MAX_NAMED_FILES} more` : ''}`;
  const count = (n: number, what: string): string => `${n} ${n === 1 ? 'file' : 'files'} ${what}`;
  if (changed.length) out.push(`${count(changed.length, 'changed')} (${names(changed)})`);
  if (added.length) out.push(`${count(added.length, 'added')} (${names(added)})`);
  if (removed.length) out.push(`${count(removed.length, 'removed')} (${names(removed)})`);
  if (out.length === 0 && other.length === 0 && Object.keys(a).length + Object.keys(b).length > 0 && JSON.stringify(a) !== JSON.stringify(b)) out.push('sources changed');
  const all = [...out, ...other];
  return all.length > 0 ? [all.join(', ')] : [];
}
