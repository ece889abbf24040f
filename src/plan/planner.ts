import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { AddInstruction, CopyInstruction, Dockerfile, Instruction, RunInstruction, Stage } from '../dockerfile/ir.js';
import { expandWord, processWord } from '../dockerfile/shell-lex.js';
import type { Digest } from '../image/digest.js';
import type { ImageConfig } from '../image/oci.js';
import { cacheKey, type CacheKeyInputs } from './cache-key.js';
import { applyConfigInstruction, withShell } from './config-instructions.js';
import { PlanError } from './errors.js';
import { instructionText } from './instruction-text.js';
import { DEFAULT_PATH, formatPlatform, parsePlatform, platformArgs, PROXY_ARGS, samePlatform, type Platform } from './platform.js';
import { contextMountSums, expandMounts } from './mount-sums.js';
import { contextSourceSums, type ContextSources } from './sources.js';
import { reachable, resolveTarget, stageDeps, stageIndexByName } from './stage-graph.js';
import { addEnv, cloneConfig, commit, envMap, type StageState } from './stage-state.js';
import type { BaseResolver, CopyFrom, CopySourceSpec, Plan, PlannedStage, PlannedStep, StepOp } from './types.js';

/** PlanRequest is everything the planner needs besides the context's files. */
export interface PlanRequest {
  dockerfile: Dockerfile;
  /** source is the Dockerfile's text (for step names); file its display name. */
  source: string;
  file: string;
  buildArgs: Record<string, string>;
  target?: string;
  platform: Platform;
  noCache?: boolean;
  noCacheFilter?: string[];
  resolver: BaseResolver;
  context: ContextSources;
  /** parseTrigger parses an ONBUILD trigger of a base image into an instruction. */
  parseTrigger?: (expression: string) => Instruction;
}

const FS_KINDS = new Set(['copy', 'add', 'run', 'workdir']);

/**
 * planBuild resolves the whole build without running anything: the stages the target needs, their
 * order, each step's expanded operation and cache key, and each stage's final config and
 * history. It reads the context only to checksum COPY/ADD sources (through the checksum cache).
 */
export async function planBuild(req: PlanRequest): Promise<Plan> {
  const df = req.dockerfile;
  const escape = df.directives.escape;
  const buildArgs = new Map(Object.entries(req.buildArgs));
  const consumed = new Set<string>();

  // Global scope: the automatic platform args, then the ARGs before the first FROM.
  const globalArgs = platformArgs(req.platform, req.platform);
  for (const a of df.metaArgs) {
    for (const def of a.args) {
      consumed.add(def.name);
      const given = buildArgs.get(def.name);
      const value = given ?? (def.value !== undefined ? expandWord(def.value, globalArgs, escape) : globalArgs.get(def.name));
      if (value !== undefined) globalArgs.set(def.name, value);
      else globalArgs.delete(def.name);
    }
  }
  const epochArg = buildArgs.get('SOURCE_DATE_EPOCH') ?? globalArgs.get('SOURCE_DATE_EPOCH');
  const epoch = epochArg !== undefined && epochArg !== '' ? Number(epochArg) : undefined;
  if (epoch !== undefined && !Number.isInteger(epoch)) throw new PlanError('INVALID_ARGUMENT', `invalid SOURCE_DATE_EPOCH: ${epochArg}`);

  const target = resolveTarget(df, req.target);
  const deps = stageDeps(df, globalArgs, escape);
  const needed = reachable(deps, target);
  const planned = new Map<number, PlannedStage>();
  const single = df.stages.length === 1;

  for (const idx of needed) {
    const stage = df.stages[idx]!;
    planned.set(idx, await planStage(req, stage, { globalArgs, buildArgs, consumed, planned, single, escape, epoch, deps: deps[idx] ?? [] }));
  }
  const unusedBuildArgs = [...buildArgs.keys()].filter((k) => !consumed.has(k) && !PROXY_ARGS.includes(k) && k !== 'SOURCE_DATE_EPOCH');
  return { stages: needed.map((i) => planned.get(i)!), target, platform: req.platform, ...(epoch !== undefined ? { epoch } : {}), unusedBuildArgs };
}

interface StageEnv {
  globalArgs: Map<string, string>;
  buildArgs: Map<string, string>;
  consumed: Set<string>;
  planned: Map<number, PlannedStage>;
  single: boolean;
  escape: '\\' | '`';
  epoch: number | undefined;
  deps: number[];
}

function emptyImageConfig(p: Platform): ImageConfig {
  return {
    architecture: p.architecture,
    os: p.os,
    ...(p.variant ? { variant: p.variant } : {}),
    config: { Env: [`PATH=${DEFAULT_PATH}`], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [] },
  };
}

async function planStage(req: PlanRequest, stage: Stage, env: StageEnv): Promise<PlannedStage> {
  const { escape } = env;
  const platformStr = formatPlatform(req.platform);
  const stageName = stage.name ?? `stage-${stage.index}`;
  const from = stage.from;
  if (from.platform !== undefined) {
    const p = parsePlatform(expandWord(from.platform, env.globalArgs, escape));
    if (!samePlatform(p, req.platform)) {
      throw new PlanError('PLATFORM_UNSUPPORTED', `FROM --platform=${formatPlatform(p)}: only the host platform ${platformStr} can be built`, from.range);
    }
  }
  const baseName = expandWord(from.image, env.globalArgs, escape);
  if (baseName === '') throw new PlanError('INVALID_BASE', `base name (${from.image}) should not be blank`, from.range);

  let base: PlannedStage['base'];
  let config: ImageConfig;
  let history: ImageConfig['history'];
  let parentKey: Digest | null = null;
  let baseRecord: { ref: string; digest: string };
  const baseStage = stageIndexByName(req.dockerfile, baseName, stage.index);
  if (baseStage !== undefined) {
    const b = env.planned.get(baseStage)!;
    base = { kind: 'stage', stage: baseStage };
    config = cloneConfig(b.config);
    history = [...b.history];
    parentKey = b.finalKey;
    baseRecord = { ref: `stage ${b.name}`, digest: b.finalKey };
  } else if (baseName.toLowerCase() === 'scratch') {
    base = { kind: 'scratch' };
    config = emptyImageConfig(req.platform);
    history = [];
    baseRecord = { ref: 'scratch', digest: 'scratch' };
  } else {
    let image;
    try {
      image = await req.resolver.resolve(baseName, req.platform);
    } catch (err) {
      throw new PlanError((err as { code?: string }).code ?? 'IMAGE_NOT_FOUND', `${baseName}: ${(err as Error).message}`, from.range, { cause: err });
    }
    base = { kind: 'image', image };
    config = cloneConfig(image.config);
    history = [...(image.config.history ?? [])];
    baseRecord = { ref: baseName, digest: image.id };
  }
  delete config.created;
  config.history = undefined;
  const baseHistoryLength = history.length;
  if (!config.config) config.config = {};
  if (!envMap(config.config.Env).has('PATH')) config.config.Env = addEnv(config.config.Env, 'PATH', DEFAULT_PATH);
  // ONBUILD triggers of an image base run first in this stage; the new image does not keep them.
  const triggers = base.kind !== 'scratch' ? (config.config.OnBuild ?? []) : [];
  if (base.kind !== 'scratch') config.config.OnBuild = null;

  const s: StageState = { config, history, vars: envMap(config.config.Env), args: [], cmdSet: false };
  const filtered = (req.noCacheFilter ?? []).find((f) => f.toLowerCase() === stageName.toLowerCase() || f === String(stage.index));
  const noCache = req.noCache === true || filtered !== undefined;
  // the flag that made this stage skip the cache, as the miss is explained to the user
  const noCacheFlag = req.noCache === true ? '--no-cache' : filtered !== undefined ? `--no-cache-filter ${filtered}` : undefined;

  let instructions: Instruction[] = stage.instructions;
  if (triggers.length > 0) {
    if (!req.parseTrigger) throw new PlanError('ONBUILD_UNSUPPORTED', `base image ${baseName} has ONBUILD triggers and no trigger parser was given`, from.range);
    instructions = [...triggers.map((t) => ({ ...req.parseTrigger!(t), range: from.range })), ...instructions];
  }
  const total = 1 + instructions.filter((i) => FS_KINDS.has(i.kind)).length;
  const width = String(total).length;
  const prefix = (n: number): string => `[${env.single ? '' : `${stageName} `}${String(n).padStart(width, ' ')}/${total}] `;

  const steps: PlannedStep[] = [];
  const fromText = `FROM ${baseRecord.ref === 'scratch' ? 'scratch' : baseStage !== undefined ? baseName : normalizeForDisplay(baseName)}`;
  const fromInputs: CacheKeyInputs = { v: 1, parent: parentKey, base: baseRecord, instruction: fromText, op: {}, env: [], args: {}, sources: {}, platform: platformStr };
  const fromKey = cacheKey(fromInputs);
  steps.push({
    id: `${stage.index}/0`,
    stage: stage.index,
    position: 0,
    name: `${prefix(1)}${fromText}`,
    text: fromText,
    line: from.range.start.line,
    column: from.range.start.column,
    key: fromKey,
    record: { key: fromKey, inputs: fromInputs, detail: { stage: stageName, index: 0, line: from.range.start.line, files: {} } },
    op: { kind: 'from' },
    noCache: false,
    historyIndex: -1,
  });
  let key = fromKey;

  for (const ins of instructions) {
    if (ins.kind === 'arg') {
      applyArg(s, ins.args, env);
      continue;
    }
    if (applyConfigInstruction(s, ins, escape)) continue;
    const text = instructionText(req.source, ins, s.vars, escape);
    let op: StepOp;
    let inputs: CacheKeyInputs;
    let files: Record<string, Record<string, string>> = {};
    let historyIndex: number;
    const workdir = s.config.config?.WorkingDir || '/';
    if (ins.kind === 'workdir') {
      const wd = normalizeWorkdir(workdir, expandWord(ins.path, s.vars, escape));
      s.config.config!.WorkingDir = wd;
      if (wd === '/') {
        commit(s, `WORKDIR ${wd}`, false);
        continue;
      }
      const user = s.config.config?.User ?? '';
      op = { kind: 'workdir', path: wd, user };
      historyIndex = commit(s, `WORKDIR ${wd}`, true);
      inputs = { v: 1, parent: key, instruction: text, op, env: [], args: {}, sources: {}, platform: platformStr };
    } else if (ins.kind === 'copy' || ins.kind === 'add') {
      const r = await planCopyStep(req, s, ins, env, workdir);
      op = r.op;
      files = r.files;
      historyIndex = commit(s, r.history, true, true);
      inputs = { v: 1, parent: key, instruction: text, op: r.keyOp, env: [], args: {}, sources: r.sums, platform: platformStr };
    } else if (ins.kind === 'run') {
      const r = await planRun(req, s, ins, env, workdir);
      op = r.op;
      historyIndex = commit(s, r.history, true, true);
      inputs = { v: 1, parent: key, instruction: text, op: r.keyOp, env: r.op.kind === 'run' ? r.op.env : [], args: r.args, sources: r.sums, platform: platformStr };
    } else {
      throw new PlanError('UNSUPPORTED', `instruction ${ins.kind.toUpperCase()} is not supported here`, ins.range);
    }
    key = cacheKey(inputs);
    const position = steps.length;
    steps.push({
      id: `${stage.index}/${position}`,
      stage: stage.index,
      position,
      name: `${prefix(position + 1)}${text}`,
      text,
      line: ins.range.start.line,
      column: ins.range.start.column,
      key,
      record: { key, inputs, detail: { stage: stageName, index: position, line: ins.range.start.line, files } },
      op,
      noCache,
      ...(noCacheFlag !== undefined ? { noCacheFlag } : {}),
      historyIndex,
    });
  }
  s.config.history = undefined;
  return { index: stage.index, name: stageName, base, deps: env.deps, steps, config: s.config, history: s.history, baseHistoryLength, finalKey: key };
}

function normalizeForDisplay(ref: string): string {
  // BuildKit shows the normalised name: docker.io/library/busybox:latest.
  if (ref.includes('@')) return ref;
  const slash = ref.indexOf('/');
  const first = slash >= 0 ? ref.slice(0, slash) : '';
  const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  let name = hasDomain ? ref : `docker.io/${slash >= 0 ? ref : `library/${ref}`}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':')) name += ':latest';
  return name;
}

/** applyArg handles `ARG name[=default]` in a stage (BuildKit's dispatchArg). */
function applyArg(s: StageState, defs: { name: string; value?: string }[], env: StageEnv): void {
  const parts: string[] = [];
  for (const def of defs) {
    env.consumed.add(def.name);
    let value: string | undefined;
    if (env.buildArgs.has(def.name)) value = env.buildArgs.get(def.name);
    else if (def.value !== undefined) value = expandWord(def.value, s.vars, env.escape);
    else if (env.globalArgs.has(def.name)) value = env.globalArgs.get(def.name);
    if (value !== undefined) s.vars.set(def.name, value);
    const existing = s.args.findIndex((a) => a.name === def.name);
    if (existing >= 0) s.args[existing] = { name: def.name, value };
    else s.args.push({ name: def.name, value });
    parts.push(value !== undefined ? `${def.name}=${value}` : def.name);
  }
  commit(s, `ARG ${parts.join(' ')}`, false);
}

/** normalizeWorkdir joins a WORKDIR onto the current one (BuildKit's system.NormalizeWorkdir). */
export function normalizeWorkdir(current: string, p: string): string {
  const joined = p.startsWith('/') ? p : posix.join(current || '/', p);
  const clean = posix.normalize(joined);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

/** resolveMountImage resolves `RUN --mount from=IMAGE` as COPY --from does. */
async function resolveMountImage(req: PlanRequest, ref: string, ins: RunInstruction): Promise<CopyFrom> {
  try {
    return { kind: 'image', image: await req.resolver.resolve(ref, req.platform) };
  } catch (err) {
    throw new PlanError((err as { code?: string }).code ?? 'IMAGE_NOT_FOUND', `RUN --mount from=${ref}: ${(err as Error).message}`, ins.range, { cause: err });
  }
}

function resolveFrom(req: PlanRequest, name: string, stageIndex: number, env: StageEnv): CopyFrom | { kind: 'image-ref'; ref: string } {
  const expanded = expandWord(name, env.globalArgs, env.escape);
  const idx = stageIndexByName(req.dockerfile, expanded, stageIndex);
  if (idx !== undefined) return { kind: 'stage', stage: idx };
  return { kind: 'image-ref', ref: expanded };
}

async function planCopyStep(
  req: PlanRequest,
  s: StageState,
  ins: CopyInstruction | AddInstruction,
  env: StageEnv,
  workdir: string,
): Promise<{ op: StepOp; keyOp: Record<string, unknown>; sums: Record<string, string>; files: Record<string, Record<string, string>>; history: string }> {
  const x = (w: string): string => expandWord(w, s.vars, env.escape);
  const isAdd = ins.kind === 'add';
  let from: CopyFrom = { kind: 'context' };
  if (ins.from !== undefined) {
    const f = resolveFrom(req, ins.from, 0x7fffffff, env);
    if (f.kind === 'image-ref') {
      try {
        from = { kind: 'image', image: await req.resolver.resolve(f.ref, req.platform) };
      } catch (err) {
        throw new PlanError((err as { code?: string }).code ?? 'IMAGE_NOT_FOUND', `COPY --from=${f.ref}: ${(err as Error).message}`, ins.range, { cause: err });
      }
    } else from = f as CopyFrom;
    if (from.kind === 'stage' && !env.planned.has(from.stage)) {
      throw new PlanError('STAGE_ORDER', `cannot copy from stage "${ins.from}", it needs to be defined before the current stage`, ins.range);
    }
  }
  const heredocNames = new Set(ins.heredocs.map((h) => h.name));
  const sources: CopySourceSpec[] = [];
  for (const raw of ins.sources) {
    const m = /^<<-?["']?([^"']+)["']?$/.exec(raw);
    if (m && heredocNames.has(m[1]!)) {
      const h = ins.heredocs.find((d) => d.name === m[1])!;
      let content = h.content;
      if (h.chomp) content = content.replace(/^\t+/gm, '');
      if (h.expand) content = processWord(content, s.vars, { escape: env.escape, skipProcessQuotes: true }).result;
      sources.push({ kind: 'heredoc', name: h.name, content });
      continue;
    }
    const p = x(raw);
    if (/^https?:\/\//.test(p)) {
      if (!isAdd) throw new PlanError('COPY_URL', 'source can\'t be a URL for COPY', ins.range);
      sources.push({ kind: 'url', url: p });
    } else sources.push({ kind: 'path', path: p });
  }
  const dest = x(ins.dest);
  const chown = ins.chown !== undefined ? x(ins.chown) : undefined;
  let chmod: number | undefined;
  if (ins.chmod !== undefined) {
    const cm = x(ins.chmod);
    if (!/^[0-7]{1,4}$/.test(cm)) throw new PlanError('INVALID_CHMOD', `invalid chmod parameter: '${cm}'. it should be octal string and between 0 and 07777`, ins.range);
    chmod = parseInt(cm, 8);
  }
  const checksum = ins.checksum !== undefined ? x(ins.checksum) : undefined;
  if (checksum !== undefined && !(sources.length === 1 && sources[0]!.kind === 'url')) {
    throw new PlanError('INVALID_CHECKSUM', 'checksum requires a single HTTP(S) source', ins.range);
  }
  const exclude = ins.exclude.map(x);
  const op: StepOp = {
    kind: 'copy',
    isAdd,
    from,
    sources,
    dest,
    workdir,
    ...(chown !== undefined ? { chown } : {}),
    ...(chmod !== undefined ? { chmod } : {}),
    link: ins.link,
    parents: ins.parents,
    exclude,
    ...(checksum !== undefined ? { checksum } : {}),
    ...(ins.unpack !== undefined ? { unpack: ins.unpack } : {}),
  };

  let sums: Record<string, string> = {};
  let files: Record<string, Record<string, string>> = {};
  const paths = sources.flatMap((src) => (src.kind === 'path' ? [src.path] : []));
  if (from.kind === 'context') {
    const r = await contextSourceSums(req.context, paths);
    sums = r.sums;
    files = r.files;
  } else {
    // An earlier stage's content is decided by its final key; an image's by its id.
    const id = from.kind === 'stage' ? env.planned.get(from.stage)!.finalKey : from.image.id;
    for (const p of paths) sums[p] = `${id}:${p}`;
  }
  for (const src of sources) {
    if (src.kind === 'heredoc') sums[`<<${src.name}`] = `sha256:${createHash('sha256').update(src.content).digest('hex')}`;
    if (src.kind === 'url') sums[src.url] = checksum ?? 'url';
  }
  const keyOp: Record<string, unknown> = {
    kind: ins.kind,
    from: from.kind === 'context' ? 'context' : from.kind === 'stage' ? `stage:${from.stage}` : `image:${from.image.id}`,
    sources: sources.map((x2) => (x2.kind === 'path' ? x2.path : x2.kind === 'url' ? x2.url : `<<${x2.name}`)),
    dest,
    workdir,
    chown: chown ?? null,
    chmod: chmod ?? null,
    link: ins.link,
    parents: ins.parents,
    exclude,
    unpack: ins.unpack ?? null,
    // dockerignore rules change which files a context source holds
    ignore: from.kind === 'context' ? [...req.context.ignore.patterns] : [],
  };

  const flags: string[] = [];
  if (ins.parents) flags.push('--parents');
  if (chown !== undefined) flags.push(`--chown=${chown}`);
  if (ins.chmod !== undefined) flags.push(`--chmod=${x(ins.chmod)}`);
  const srcWords = sources.map((x2) => (x2.kind === 'path' ? x2.path : x2.kind === 'url' ? x2.url : ''));
  const heredocWords = sources.flatMap((x2) => (x2.kind === 'heredoc' ? [`<<${x2.name}`] : []));
  const history = [isAdd ? 'ADD' : 'COPY', ...flags, ...srcWords.filter((w) => w !== ''), ...heredocWords, dest].join(' ');
  return { op, keyOp, sums, files, history };
}

async function planRun(
  req: PlanRequest,
  s: StageState,
  ins: RunInstruction,
  env: StageEnv,
  workdir: string,
): Promise<{ op: StepOp; keyOp: Record<string, unknown>; args: Record<string, string>; sums: Record<string, string>; history: string }> {
  let command = ins.command;
  // A heredoc RUN (`RUN <<EOF`) runs its body through the shell.
  if (command.form === 'shell' && ins.heredocs.length > 0 && /^<<-?["']?[A-Za-z0-9_]+["']?\s*$/.test(command.text.trim())) {
    command = { form: 'shell', text: ins.heredocs[0]!.content };
  }
  const argv = withShell(s, command);
  const envList = [...(s.config.config?.Env ?? [])];
  const args: Record<string, string> = {};
  let procEnv = envList;
  for (const a of s.args) {
    if (a.value === undefined) continue;
    args[a.name] = a.value;
    // an ENV of the same name wins over the ARG in RUN's environment
    if (!envMap(envList).has(a.name)) procEnv = addEnv(procEnv, a.name, a.value);
  }
  for (const p of PROXY_ARGS) {
    const v = env.buildArgs.get(p);
    if (v !== undefined) procEnv = addEnv(procEnv, p, v);
  }
  const mounts = expandMounts(ins.mounts, (w) => expandWord(w, s.vars, env.escape));
  const mountFrom: Record<string, CopyFrom> = {};
  for (const m of mounts) {
    if ('from' in m && m.from !== undefined) {
      const f = resolveFrom(req, m.from, 0x7fffffff, env);
      if (f.kind === 'stage') mountFrom[m.from] = f;
      else if (f.kind === 'image-ref') mountFrom[m.from] = await resolveMountImage(req, f.ref, ins);
    }
  }
  const op: StepOp = {
    kind: 'run',
    args: argv,
    env: procEnv,
    workdir,
    user: s.config.config?.User ?? '',
    network: ins.network ?? 'default',
    mounts,
    mountFrom,
  };
  const sums: Record<string, string> = {};
  for (const [name, f] of Object.entries(mountFrom)) sums[`mount:${name}`] = f.kind === 'stage' ? (env.planned.get(f.stage)?.finalKey ?? 'unknown') : f.kind === 'image' ? f.image.id : 'context';
  Object.assign(sums, await contextMountSums(req.context, mounts));
  // secret and ssh mounts count by their id, target and flags (never a value), as in BuildKit's LLB
  const keyOp = { kind: 'run', args: argv, workdir, user: op.user, network: op.network, mounts };
  // RUN's history shows the ARGs in scope: `RUN |2 A=1 B=2 /bin/sh -c cmd`.
  const shown = s.args.map((a) => `${a.name}=${s.vars.get(a.name) ?? a.value ?? ''}`);
  const history = ['RUN', ...(shown.length ? [`|${shown.length}`, ...shown] : []), ...argv].join(' ');
  return { op, keyOp, args, sums, history };
}
