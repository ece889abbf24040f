import { locatedError, type AstNode, type Located } from './ast.js';
import { DockerfileErrorCode, type DockerfileErrorCodeValue, type DockerfileSyntaxError } from './errors.js';
import { FlagProblem, parseFlags, type FlagSpec, type FlagValues } from './flags.js';
import { parseHeredocMarker } from './heredoc.js';
import { suggest } from './hints.js';
import type {
  AddInstruction, Command, CopyInstruction, HealthcheckInstruction, Instruction, KeyValue, RunInstruction, Warning,
} from './ir.js';
import { MountProblem, parseRunMount } from './run-mount.js';
import { parseDuration } from './values.js';

/**
 * toInstruction gives an AST node its meaning: one typed IR variant per instruction, flags
 * checked and parsed, argument counts checked, as BuildKit's `instructions` package does.
 * Unknown keywords are handled by the caller (it knows the previous instruction for hints).
 */

/** KNOWN_INSTRUCTIONS are the keywords the IR accepts, upper case. */
export const KNOWN_INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

const FLAGS: Record<string, FlagSpec> = {
  from: { platform: 'string' },
  run: { mount: 'strings', network: 'string', security: 'string' },
  copy: { chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool' },
  add: { chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool', exclude: 'strings' },
  healthcheck: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
};
const NO_FLAGS: FlagSpec = {};
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** InstructionContext is what conversion needs besides the node: error location, warnings. */
export interface InstructionContext extends Located {
  warnings: Warning[];
}

class Converter {
  constructor(
    private readonly ctx: InstructionContext,
    private readonly node: AstNode,
  ) {}

  private get upper(): string {
    return this.node.keyword.toUpperCase();
  }

  /** fail raises an error at an offset of the node's text (default: its keyword). */
  fail(code: DockerfileErrorCodeValue, reason: string, offset = 0, hint?: string): DockerfileSyntaxError {
    return locatedError(this.ctx, code, reason, this.node.line, this.node.base + offset, hint);
  }

  /** argsOffset is where the arguments start (for errors about them). */
  private argsOffset(): number {
    const a = this.node.raw.args;
    if (a.form === 'words') return a.words[0]?.offset ?? this.node.keywordText.length;
    if (a.form === 'none') return this.node.keywordText.length;
    return a.offset;
  }

  private flags(spec: FlagSpec): FlagValues {
    try {
      return parseFlags(this.node.raw.flags, spec, this.upper);
    } catch (err) {
      if (err instanceof FlagProblem) throw this.fail(err.code, err.message, err.flag.offset, err.hint);
      throw err;
    }
  }

  private base() {
    return { range: this.node.range, keyword: this.node.keywordText };
  }

  private command(): Command {
    const { args, json } = this.node;
    return json ? { form: 'exec', args } : { form: 'shell', text: args.join(' ') };
  }

  private exactlyOne(): string {
    if (this.node.args.length !== 1) {
      throw this.fail(DockerfileErrorCode.MissingArgument, `${this.upper} requires exactly one argument`, this.argsOffset());
    }
    return this.node.args[0]!;
  }

  private atLeastOne(): void {
    if (this.node.args.length === 0) {
      throw this.fail(DockerfileErrorCode.MissingArgument, `${this.upper} requires at least one argument`, this.argsOffset());
    }
  }

  private pairs(): KeyValue[] {
    this.flags(NO_FLAGS);
    this.atLeastOne();
    const out: KeyValue[] = [];
    const a = this.node.args;
    for (let i = 0; i < a.length; i += 3) {
      if (a[i] === '') throw this.fail(DockerfileErrorCode.InvalidArgument, `${this.upper} names can not be blank`, this.argsOffset());
      out.push({ key: a[i]!, value: a[i + 1]! });
    }
    return out;
  }

  convert(): Instruction {
    const n = this.node;
    switch (n.keyword) {
      case 'from':
        return this.from();
      case 'run':
        return this.run();
      case 'cmd':
        this.flags(NO_FLAGS);
        return { kind: 'cmd', ...this.base(), command: this.command() };
      case 'entrypoint':
        this.flags(NO_FLAGS);
        return { kind: 'entrypoint', ...this.base(), command: this.command() };
      case 'shell':
        this.flags(NO_FLAGS);
        this.atLeastOne();
        if (!n.json) {
          throw this.fail(DockerfileErrorCode.InvalidArgument, 'SHELL requires the arguments to be in JSON form', this.argsOffset(), 'write SHELL ["/bin/sh", "-c"]');
        }
        return { kind: 'shell', ...this.base(), args: n.args };
      case 'env':
        return { kind: 'env', ...this.base(), pairs: this.pairs() };
      case 'label':
        return { kind: 'label', ...this.base(), pairs: this.pairs() };
      case 'maintainer': {
        const name = this.exactlyOne();
        this.flags(NO_FLAGS);
        this.ctx.warnings.push({ code: 'MAINTAINER_DEPRECATED', message: 'MAINTAINER instruction is deprecated in favor of using label', range: n.range });
        return { kind: 'maintainer', ...this.base(), name };
      }
      case 'expose':
        this.atLeastOne();
        this.flags(NO_FLAGS);
        return { kind: 'expose', ...this.base(), ports: n.args };
      case 'copy':
      case 'add':
        return this.copy();
      case 'volume': {
        this.atLeastOne();
        this.flags(NO_FLAGS);
        const paths = n.args.map((p) => p.trim());
        if (paths.includes('')) throw this.fail(DockerfileErrorCode.InvalidArgument, 'VOLUME specified can not be an empty string', this.argsOffset());
        return { kind: 'volume', ...this.base(), paths, json: n.json };
      }
      case 'user':
        this.flags(NO_FLAGS);
        return { kind: 'user', ...this.base(), user: this.exactlyOne() };
      case 'workdir':
        this.flags(NO_FLAGS);
        return { kind: 'workdir', ...this.base(), path: this.exactlyOne() };
      case 'stopsignal':
        return { kind: 'stopsignal', ...this.base(), signal: this.exactlyOne() };
      case 'arg':
        return this.arg();
      case 'healthcheck':
        return this.healthcheck();
      case 'onbuild':
        return this.onbuild();
      default:
        throw new Error(`toInstruction: unknown keyword ${n.keyword}`);
    }
  }

  private from(): Instruction {
    const a = this.node.args;
    let stageName: string | undefined;
    const words = this.node.raw.args.form === 'words' ? this.node.raw.args.words : [];
    if (a.length === 3 && a[1]!.toLowerCase() === 'as') {
      stageName = a[2]!.toLowerCase();
      if (!STAGE_NAME.test(stageName)) {
        throw this.fail(
          DockerfileErrorCode.InvalidStageName,
          `invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`,
          words[2]?.offset ?? 0,
        );
      }
      if (stageName !== a[2]) {
        this.ctx.warnings.push({ code: 'STAGE_NAME_CASING', message: `Stage name '${a[2]}' should be lowercase`, range: this.node.range });
      }
    } else if (a.length !== 1) {
      const hint = a.length === 0 ? 'write FROM <image> [AS <name>]' : a.length === 2 ? `write FROM ${a[0]} AS ${a[1]}` : undefined;
      throw this.fail(DockerfileErrorCode.InvalidArgument, 'FROM requires either one or three arguments', words[1]?.offset ?? this.argsOffset(), hint);
    }
    const flags = this.flags(FLAGS.from!);
    const platform = flags.strings.get('platform');
    return {
      kind: 'from', ...this.base(), image: a[0]!,
      ...(platform !== undefined && platform !== '' && { platform }),
      ...(stageName !== undefined && { stageName }),
    };
  }

  private run(): RunInstruction {
    const flags = this.flags(FLAGS.run!);
    if (this.node.args.length === 0 && !this.node.json) {
      throw this.fail(DockerfileErrorCode.MissingArgument, 'RUN requires at least one argument', this.argsOffset(), 'write RUN <command>');
    }
    const mounts = (flags.lists.get('mount') ?? []).map((value) => {
      try {
        return parseRunMount(value);
      } catch (err) {
        if (err instanceof MountProblem) {
          const f = this.node.raw.flags.find((x) => x.value === `--mount=${value}`);
          throw this.fail(DockerfileErrorCode.InvalidMount, err.message, f?.offset ?? 0, err.hint);
        }
        throw err;
      }
    });
    const out: RunInstruction = { kind: 'run', ...this.base(), command: this.command(), mounts, heredocs: this.node.heredocs };
    const network = flags.strings.get('network');
    if (network !== undefined) {
      if (network !== 'default' && network !== 'none' && network !== 'host') {
        throw this.flagFail('network', `invalid network mode ${JSON.stringify(network)}`, 'use default, none or host');
      }
      out.network = network;
    }
    const security = flags.strings.get('security');
    if (security !== undefined) {
      if (security !== 'sandbox' && security !== 'insecure') {
        throw this.flagFail('security', `security ${JSON.stringify(security)} is not valid`, 'use sandbox or insecure');
      }
      out.security = security;
    }
    return out;
  }

  private flagFail(name: string, reason: string, hint?: string): DockerfileSyntaxError {
    const f = this.node.raw.flags.find((x) => x.value.startsWith(`--${name}`));
    return this.fail(DockerfileErrorCode.FlagValue, reason, f?.offset ?? 0, hint);
  }

  private copy(): CopyInstruction | AddInstruction {
    const n = this.node;
    const upper = this.upper;
    if (n.args.length < 2) {
      throw this.fail(
        DockerfileErrorCode.MissingArgument,
        `${upper} requires at least two arguments, but only one was provided. Destination could not be determined`,
        this.argsOffset(),
        `write ${upper} <source>... <destination>`,
      );
    }
    const flags = this.flags(FLAGS[n.keyword]!);
    const dest = n.args[n.args.length - 1]!;
    if (!n.json && dest.includes('<<') && parseHeredocMarker(dest)) {
      throw this.fail(DockerfileErrorCode.InvalidArgument, `${upper} cannot accept a heredoc as a destination`, this.argsOffset());
    }
    const common = {
      ...this.base(),
      link: flags.bools.get('link') ?? false,
      parents: flags.bools.get('parents') ?? false,
      exclude: flags.lists.get('exclude') ?? [],
      sources: n.args.slice(0, -1),
      dest,
      heredocs: n.heredocs,
      json: n.json,
    };
    const chown = flags.strings.get('chown');
    const chmod = flags.strings.get('chmod');
    const opt = { ...(chown !== undefined && { chown }), ...(chmod !== undefined && { chmod }) };
    if (n.keyword === 'copy') {
      const from = flags.strings.get('from');
      return { kind: 'copy', ...common, ...opt, ...(from !== undefined && { from }) };
    }
    const checksum = flags.strings.get('checksum');
    const keepGitDir = flags.bools.get('keep-git-dir');
    const unpack = flags.bools.get('unpack');
    return {
      kind: 'add', ...common, ...opt,
      ...(checksum !== undefined && { checksum }),
      ...(keepGitDir !== undefined && { keepGitDir }),
      ...(unpack !== undefined && { unpack }),
    };
  }

  private arg(): Instruction {
    this.flags(NO_FLAGS);
    this.atLeastOne();
    const args = this.node.args.map((word) => {
      const eq = word.indexOf('=');
      if (eq < 0) return { name: word };
      if (eq === 0) throw this.fail(DockerfileErrorCode.InvalidArgument, 'ARG names can not be blank', this.argsOffset());
      return { name: word.slice(0, eq), value: word.slice(eq + 1) };
    });
    return { kind: 'arg', ...this.base(), args };
  }

  private healthcheck(): HealthcheckInstruction {
    const n = this.node;
    this.atLeastOne();
    const typ = n.args[0]!.toUpperCase();
    const rest = n.args.slice(1);
    const typeOffset = n.raw.healthType?.offset ?? 0;
    if (typ === 'NONE') {
      if (rest.length !== 0) throw this.fail(DockerfileErrorCode.InvalidArgument, 'HEALTHCHECK NONE takes no arguments', typeOffset);
      return { kind: 'healthcheck', ...this.base(), test: { type: 'none' } };
    }
    const flags = this.flags(FLAGS.healthcheck!);
    if (typ !== 'CMD') {
      throw this.fail(DockerfileErrorCode.InvalidArgument, `Unknown type ${JSON.stringify(typ)} in HEALTHCHECK (try CMD)`, typeOffset);
    }
    if (rest.length === 0) throw this.fail(DockerfileErrorCode.MissingArgument, 'Missing command after HEALTHCHECK CMD', typeOffset);
    const command: Command = n.json ? { form: 'exec', args: rest } : { form: 'shell', text: rest.join(' ') };
    const out: HealthcheckInstruction = { kind: 'healthcheck', ...this.base(), test: { type: 'cmd', command } };
    const durations = [['interval', 'interval'], ['timeout', 'timeout'], ['start-period', 'startPeriod'], ['start-interval', 'startInterval']] as const;
    for (const [flag, field] of durations) {
      const v = flags.strings.get(flag);
      if (v === undefined || v === '') continue;
      const ns = parseDuration(v);
      if (ns === undefined) throw this.flagFail(flag, `time: invalid duration ${JSON.stringify(v)}`, 'use a duration such as 30s, 1m30s or 500ms');
      if (ns === 0) continue;
      if (ns < 1e6) throw this.flagFail(flag, `Interval ${JSON.stringify(flag)} cannot be less than 1ms`);
      out[field] = ns;
    }
    const retries = flags.strings.get('retries');
    if (retries !== undefined && retries !== '') {
      const r = /^[+-]?\d+$/.test(retries) ? Number(retries) : NaN;
      if (!Number.isSafeInteger(r) || Math.abs(r) > 2 ** 31) throw this.flagFail('retries', `invalid value for --retries: ${JSON.stringify(retries)}`);
      if (r < 0) throw this.flagFail('retries', `--retries cannot be negative (${r})`);
      out.retries = r;
    }
    return out;
  }

  private onbuild(): Instruction {
    const n = this.node;
    this.flags(NO_FLAGS);
    if (!n.next) throw this.fail(DockerfileErrorCode.MissingArgument, 'ONBUILD requires at least one argument', this.argsOffset());
    const trigger = n.next.keyword.toUpperCase();
    const triggerOffset = n.next.base - n.base;
    if (trigger === 'ONBUILD') {
      throw this.fail(DockerfileErrorCode.InvalidArgument, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', triggerOffset);
    }
    if (trigger === 'MAINTAINER' || trigger === 'FROM') {
      throw this.fail(DockerfileErrorCode.InvalidArgument, `${trigger} isn't allowed as an ONBUILD trigger`, triggerOffset);
    }
    // The heredocs BuildKit attaches to ONBUILD belong to its trigger.
    const nested: AstNode = { ...n.next, heredocs: n.heredocs, range: { start: n.next.range.start, end: n.range.end } };
    const instruction = toInstruction(this.ctx, nested);
    let expression = n.original.replace(/^\s*onbuild\s*/i, '');
    for (const h of n.heredocs) expression += `\n${h.content}${h.name}`;
    return { kind: 'onbuild', ...this.base(), instruction, expression };
  }
}

/** unknownInstructionError builds the error for an unknown keyword, with the best hint. */
export function unknownInstructionError(ctx: Located, node: AstNode, hint: string | undefined): DockerfileSyntaxError {
  const close = suggest(node.keywordText, KNOWN_INSTRUCTIONS);
  const h = hint ?? (close ? `did you mean ${close}?` : undefined);
  return locatedError(ctx, DockerfileErrorCode.UnknownInstruction, `unknown instruction: ${node.keywordText}`, node.line, node.base, h);
}

/** toInstruction converts one known-keyword node to its IR variant. */
export function toInstruction(ctx: InstructionContext, node: AstNode): Instruction {
  if (!(KNOWN_INSTRUCTIONS as readonly string[]).includes(node.keyword.toUpperCase())) {
    throw unknownInstructionError(ctx, node, undefined);
  }
  return new Converter(ctx, node).convert();
}
