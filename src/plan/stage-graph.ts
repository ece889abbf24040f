import type { Dockerfile, Instruction } from '../dockerfile/ir.js';
import { expandWord, type Env } from '../dockerfile/shell-lex.js';
import { PlanError } from './errors.js';

/** StageRef resolves a name used in FROM / COPY --from / --mount from= to a stage index, if it is one. */
export function stageIndexByName(df: Dockerfile, name: string, before: number): number | undefined {
  const lower = name.toLowerCase();
  for (const st of df.stages) {
    if (st.index >= before) break;
    if (st.name !== undefined && st.name.toLowerCase() === lower) return st.index;
  }
  // A number names a stage by position (`COPY --from=0`), only an earlier one.
  if (/^[0-9]+$/.test(name)) {
    const i = Number(name);
    if (i < before) return i;
  }
  return undefined;
}

/** fromNames lists the raw `from` names one instruction reads (COPY/ADD --from, RUN --mount from=). */
export function fromNames(ins: Instruction): string[] {
  if ((ins.kind === 'copy' || ins.kind === 'add') && ins.from !== undefined) return [ins.from];
  if (ins.kind === 'run') return ins.mounts.flatMap((m) => ('from' in m && m.from !== undefined ? [m.from] : []));
  return [];
}

/** stageDeps computes, for each stage, the earlier stages it reads (names expanded with global args). */
export function stageDeps(df: Dockerfile, globalArgs: Env, escape: '\\' | '`'): number[][] {
  return df.stages.map((st) => {
    const deps = new Set<number>();
    const base = expandWord(st.from.image, globalArgs, escape);
    const b = stageIndexByName(df, base, st.index);
    if (b !== undefined) deps.add(b);
    for (const ins of st.instructions) {
      for (const raw of fromNames(ins)) {
        const name = expandWord(raw, globalArgs, escape);
        const d = stageIndexByName(df, name, st.index);
        if (d !== undefined) deps.add(d);
        else if (df.stages.some((s) => s.name?.toLowerCase() === name.toLowerCase())) {
          throw new PlanError('STAGE_ORDER', `cannot copy from stage "${name}", it needs to be defined before current stage`, ins.range);
        }
      }
    }
    return [...deps].sort((a, b) => a - b);
  });
}

/** resolveTarget finds the --target stage (default: the last one). */
export function resolveTarget(df: Dockerfile, target: string | undefined): number {
  if (df.stages.length === 0) throw new PlanError('NO_STAGES', 'dockerfile contains no stages to build');
  if (target === undefined || target === '') return df.stages.length - 1;
  const lower = target.toLowerCase();
  const st = df.stages.find((s) => s.name?.toLowerCase() === lower);
  if (!st) throw new PlanError('UNKNOWN_TARGET', `target stage "${target}" could not be found`);
  return st.index;
}

/** reachable lists the stages the target needs (itself included), in index order. */
export function reachable(deps: number[][], target: number): number[] {
  const seen = new Set<number>();
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const d of deps[i] ?? []) visit(d);
  };
  visit(target);
  return [...seen].sort((a, b) => a - b);
}
