import { suggest } from './hints.js';
import type { Dockerfile, Instruction, Stage, Warning } from './ir.js';
import { processWord } from './shell-lex.js';

/**
 * lintDockerfile runs BuildKit's syntactic lint rules over a parsed file (those that need no
 * build context): ConsistentInstructionCasing, DuplicateStageName, ReservedStageName,
 * JSONArgsRecommended, MultipleInstructionsDisallowed and UndefinedArgInFrom. Messages are
 * BuildKit's.
 * (The parser itself reports NoEmptyContinuation, MaintainerDeprecated, StageNameCasing,
 * FromAsCasing and LegacyKeyValueFormat.)
 */

const RESERVED_STAGE_NAMES = new Set(['context', 'scratch']);
const ONCE = new Set(['cmd', 'entrypoint', 'healthcheck']);

function warning(code: string, rule: string, message: string, ins: { range: Warning['range'] }): Warning {
  return { code, rule, message, range: ins.range };
}

function selfConsistent(s: string): boolean {
  return s === s.toLowerCase() || s === s.toUpperCase();
}

function casing(df: Dockerfile, out: Warning[]): void {
  const all: Instruction[] = df.stages.flatMap((s) => [s.from, ...s.instructions]);
  let lower = 0;
  let upper = 0;
  for (const i of all) {
    if (!selfConsistent(i.keyword)) continue;
    if (i.keyword === i.keyword.toLowerCase()) lower++;
    else upper++;
  }
  const majorityLower = lower > upper;
  for (const i of all) {
    let want = '';
    if (majorityLower && i.keyword.toLowerCase() !== i.keyword) want = 'lowercase';
    else if (!majorityLower && i.keyword.toUpperCase() !== i.keyword) want = 'uppercase';
    if (want) {
      out.push(warning('CONSISTENT_INSTRUCTION_CASING', 'ConsistentInstructionCasing', `Command '${i.keyword}' should match the case of the command majority (${want})`, i));
    }
  }
}

function stageNames(df: Dockerfile, out: Warning[]): void {
  const seen = new Set<string>();
  for (const s of df.stages) {
    if (s.name === undefined) continue;
    if (RESERVED_STAGE_NAMES.has(s.name)) {
      out.push(warning('RESERVED_STAGE_NAME', 'ReservedStageName', `Stage name should not use the same name as reserved stage ${JSON.stringify(s.name)}`, s.from));
    }
    if (seen.has(s.name)) {
      out.push(warning('DUPLICATE_STAGE_NAME', 'DuplicateStageName', `Duplicate stage name ${JSON.stringify(s.name)}, stage names should be unique`, s.from));
    }
    seen.add(s.name);
  }
}

/** hasShell tells whether a stage, or a stage it is built FROM, sets SHELL before `until`. */
function hasShell(df: Dockerfile, stage: Stage, until: number, depth = 0): boolean {
  if (stage.instructions.slice(0, until).some((i) => i.kind === 'shell')) return true;
  const parent = df.stages.find((s) => s.index < stage.index && s.name !== undefined && s.name === stage.from.image.toLowerCase());
  return parent !== undefined && depth < df.stages.length && hasShell(df, parent, parent.instructions.length, depth + 1);
}

function perStage(df: Dockerfile, out: Warning[]): void {
  for (const s of df.stages) {
    const last = new Map<string, Instruction>();
    s.instructions.forEach((i, n) => {
      if ((i.kind === 'cmd' || i.kind === 'entrypoint') && i.command.form === 'shell' && !hasShell(df, s, n)) {
        out.push(warning('JSON_ARGS_RECOMMENDED', 'JSONArgsRecommended', `JSON arguments recommended for ${i.keyword} to prevent unintended behavior related to OS signals`, i));
      }
      if (ONCE.has(i.kind)) {
        const prev = last.get(i.kind);
        // BuildKit reports the earlier one: it is the instruction that has no effect.
        if (prev) {
          out.push(warning('MULTIPLE_INSTRUCTIONS_DISALLOWED', 'MultipleInstructionsDisallowed', `Multiple ${i.keyword} instructions should not be used in the same stage because only the last one will be used`, prev));
        }
        last.set(i.kind, i);
      }
    });
  }
}

/** PLATFORM_ARGS are the ARGs BuildKit defines for every FROM line. */
const PLATFORM_ARGS = ['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT'];

function fromArgs(df: Dockerfile, out: Warning[]): void {
  const declared = [...PLATFORM_ARGS, ...df.metaArgs.flatMap((a) => a.args.map((x) => x.name))];
  const env = new Map(declared.map((k) => [k, '']));
  for (const s of df.stages) {
    const reported = new Set<string>();
    for (const word of [s.from.image, s.from.platform ?? '']) {
      let unmatched: Set<string>;
      try {
        unmatched = processWord(word, env, { escape: df.directives.escape }).unmatched;
      } catch {
        continue; // a malformed word is the planner's error to report
      }
      for (const name of unmatched) {
        if (reported.has(name)) continue;
        reported.add(name);
        const close = suggest(name, declared, false);
        const message = `FROM argument '${name}' is not declared${close ? ` (did you mean ${close}?)` : ''}`;
        out.push(warning('UNDEFINED_ARG_IN_FROM', 'UndefinedArgInFrom', message, s.from));
      }
    }
  }
}

export function lintDockerfile(df: Dockerfile): Warning[] {
  const out: Warning[] = [];
  casing(df, out);
  stageNames(df, out);
  perStage(df, out);
  fromArgs(df, out);
  return out;
}
