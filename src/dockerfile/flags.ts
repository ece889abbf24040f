import type { RawFlag } from '../../grammar/syntax.js';
import { DockerfileErrorCode } from './errors.js';
import { suggest } from './hints.js';

/**
 * Builder flags (`--name[=value]`) checked against what an instruction accepts, with BuildKit's
 * rules: booleans take no value or true/false, strings need a value, string lists may repeat.
 */

/** FlagKind is how a flag's value is read. */
export type FlagKind = 'bool' | 'string' | 'strings';

/** FlagSpec lists the flags an instruction accepts. */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** FlagValues are the flags given: booleans, last string, or every string of a list. */
export interface FlagValues {
  bools: Map<string, boolean>;
  strings: Map<string, string>;
  lists: Map<string, string[]>;
}

/** FlagProblem is a flag error with the flag it concerns; the caller locates it. */
export class FlagProblem extends Error {
  constructor(
    readonly code: (typeof DockerfileErrorCode)[keyof typeof DockerfileErrorCode],
    message: string,
    readonly flag: RawFlag,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** parseFlags reads `flags` against `spec`; `instruction` names it in messages. */
export function parseFlags(flags: readonly RawFlag[], spec: FlagSpec, instruction: string): FlagValues {
  const out: FlagValues = { bools: new Map(), strings: new Map(), lists: new Map() };
  const used = new Set<string>();
  for (const f of flags) {
    const eq = f.value.indexOf('=');
    const flagName = eq < 0 ? f.value : f.value.slice(0, eq);
    const name = flagName.slice(2);
    const value = eq < 0 ? undefined : f.value.slice(eq + 1);
    const kind = spec[name];
    if (!kind) {
      const names = Object.keys(spec);
      const close = suggest(name, names, false);
      const hint = close
        ? `did you mean --${close}?`
        : names.length
          ? `${instruction} accepts ${names.map((n) => `--${n}`).join(', ')}`
          : `${instruction} takes no flags`;
      throw new FlagProblem(DockerfileErrorCode.UnknownFlag, `unknown flag: ${flagName}`, f, hint);
    }
    if (used.has(name) && kind !== 'strings') {
      throw new FlagProblem(DockerfileErrorCode.FlagValue, `duplicate flag specified: ${flagName}`, f);
    }
    used.add(name);
    if (kind === 'bool') {
      if (value === '') throw new FlagProblem(DockerfileErrorCode.FlagValue, `missing a value on flag: ${flagName}`, f);
      const v = (value ?? 'true').toLowerCase();
      if (v !== 'true' && v !== 'false') {
        throw new FlagProblem(DockerfileErrorCode.FlagValue, `expecting boolean value for flag ${flagName}, not: ${value}`, f);
      }
      out.bools.set(name, v === 'true');
    } else {
      if (value === undefined) {
        throw new FlagProblem(DockerfileErrorCode.FlagValue, `missing a value on flag: ${flagName}`, f, `write ${flagName}=<value>`);
      }
      if (kind === 'string') out.strings.set(name, value);
      else out.lists.set(name, [...(out.lists.get(name) ?? []), value]);
    }
  }
  return out;
}
