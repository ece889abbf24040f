import type { Readable } from 'node:stream';
import type { ChecksumCache } from '../context/checksum-cache.js';
import { openContext, type BuildContext } from '../context/open-context.js';
import { parseDockerfile } from '../dockerfile/index.js';
import type { Instruction } from '../dockerfile/ir.js';
import { formatPlatform, hostPlatform, parsePlatform, samePlatform } from '../plan/platform.js';
import type { PlanRequest } from '../plan/planner.js';
import type { BaseResolver } from '../plan/types.js';
import { InvalidArgumentError, StrataError } from '../util/errors.js';

/**
 * PlanFlags are the build flags that decide a plan. `strata build` and `strata plan` both turn them
 * into a PlanRequest here, so a dry run plans exactly what the build will.
 */
export interface PlanFlags {
  /** context: a directory, or '-' (stdin: a tar, or a Dockerfile without context). */
  context: string;
  /** dockerfile: -f (relative to cwd), or '-' for stdin. */
  dockerfile?: string;
  stdin?: Readable;
  cwd?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** platform: only the host's is accepted. */
  platform?: string;
  noCache?: boolean;
  noCacheFilter?: string[];
}

type Platform = ReturnType<typeof hostPlatform>;

/** buildPlatform is the host platform, after checking that `--platform` asks for nothing else. */
export function buildPlatform(requested: string | undefined): Platform {
  const host = hostPlatform();
  for (const p of requested ? requested.split(',') : []) {
    const want = parsePlatform(p);
    if (!samePlatform(want, host)) throw new InvalidArgumentError(`--platform ${formatPlatform(want)} is not supported: strata builds for the host platform (${formatPlatform(host)}) only`);
  }
  return host;
}

/** openBuildContext opens the context and Dockerfile the flags name. */
export function openBuildContext(f: PlanFlags): Promise<BuildContext> {
  return openContext({ context: f.context, ...(f.dockerfile !== undefined ? { dockerfile: f.dockerfile } : {}), ...(f.stdin ? { stdin: f.stdin } : {}), ...(f.cwd ? { cwd: f.cwd } : {}) });
}

/** planRequest parses the context's Dockerfile and gathers what the planner needs. */
export function planRequest(f: PlanFlags, ctx: BuildContext, platform: Platform, resolver: BaseResolver, cache: ChecksumCache): PlanRequest {
  return {
    dockerfile: parseDockerfile(ctx.dockerfileText, { file: ctx.dockerfileName }),
    source: ctx.dockerfileText,
    file: ctx.dockerfileName,
    buildArgs: f.buildArgs ?? {},
    ...(f.target !== undefined ? { target: f.target } : {}),
    platform,
    noCache: f.noCache ?? false,
    noCacheFilter: f.noCacheFilter ?? [],
    resolver,
    context: { root: ctx.root, ignore: ctx.ignore, cache },
    parseTrigger,
  };
}

/** parseTrigger parses an ONBUILD trigger (`COPY . /app`) as an instruction. */
export function parseTrigger(expr: string): Instruction {
  const df = parseDockerfile(`FROM scratch\n${expr}\n`, { file: 'ONBUILD' });
  const ins = df.stages[0]?.instructions[0];
  if (!ins) throw new StrataError('ONBUILD_INVALID', `invalid ONBUILD trigger: ${expr}`);
  return ins;
}
