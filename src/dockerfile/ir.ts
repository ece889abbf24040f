/**
 * The instruction IR: what a Dockerfile means, as BuildKit's `instructions` package reads it,
 * with every flag parsed into a typed field and every node carrying its source range.
 *
 * Variable expansion is NOT done here: words that BuildKit expands (image names, paths, ENV
 * values, mount options...) are kept raw, quotes and `$VAR` included, for the planner to expand
 * with the ARG/ENV scoping rules (see shell-lex.ts). Nothing downstream re-parses syntax.
 */

/** Position is a point in the source: 1-based line, 1-based column (UTF-16 code units). */
export interface Position {
  line: number;
  column: number;
}

/** Range spans from `start` to `end` (end exclusive: the column after the last character). */
export interface Range {
  start: Position;
  end: Position;
}

/** Command is a command line in shell form (`RUN make`) or exec form (`RUN ["make"]`). */
export type Command = { form: 'shell'; text: string } | { form: 'exec'; args: string[] };

/** KeyValue is one `key=value` pair of ENV or LABEL, both raw. */
export interface KeyValue {
  key: string;
  value: string;
  /** range of the `key=value` word (of `key value` in the old form). */
  range?: Range;
}

/**
 * Heredoc is an inline file: `<<EOF` ... `EOF`. `expand` is false when any part of the
 * delimiter was quoted (`<<'EOF'`); `chomp` is `<<-` (leading tabs to strip when used).
 * `content` is the body verbatim, each line with its newline.
 */
export interface Heredoc {
  name: string;
  fileDescriptor: number;
  expand: boolean;
  chomp: boolean;
  content: string;
  range: Range;
}

/** ParserDirectives are the `# syntax=`, `# escape=` and `# check=` lines at the top. */
export interface ParserDirectives {
  syntax?: string;
  escape: '\\' | '`';
  check?: string;
}

/**
 * Warning is a non-fatal finding (deprecated MAINTAINER, empty continuation line...). `rule` is
 * BuildKit's name for the check, which `# check=skip=<rule>,...` turns off.
 */
export interface Warning {
  code: string;
  rule: string;
  message: string;
  range: Range;
}

interface Base {
  range: Range;
  /** keyword as written in the file (`run`, `Run`, `RUN`). */
  keyword: string;
  /**
   * original is the instruction as written, continuation lines joined (escape characters and
   * comment lines removed), trimmed, without heredoc bodies: what a progress line shows.
   * Always set by the parser; optional only so hand-made values may omit it.
   */
  original?: string;
}

/** FromInstruction: `FROM [--platform=<p>] <image> [AS <name>]`. */
export interface FromInstruction extends Base {
  kind: 'from';
  image: string;
  platform?: string;
  stageName?: string;
}

/**
 * RunMount is one `RUN --mount=type=...` (values raw, for the planner to expand). A `target`
 * may be relative or empty: BuildKit resolves it against the working directory.
 */
export type RunMount = BindMount | CacheMount | TmpfsMount | SecretMount | SshMount;

interface MountFileInfo {
  /** mode, uid and gid of the mounted file (cache, secret, ssh); octal `mode` parsed. */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** BindMount: `type=bind,target=/x[,source=/y][,from=stage][,rw]`. */
export interface BindMount {
  type: 'bind';
  target: string;
  source?: string;
  from?: string;
  readOnly: boolean;
}

/** CacheMount: `type=cache,target=/x[,id=][,sharing=shared|private|locked][,from=][,source=]`. */
export interface CacheMount extends MountFileInfo {
  type: 'cache';
  target: string;
  id?: string;
  sharing: 'shared' | 'private' | 'locked';
  from?: string;
  source?: string;
  readOnly: boolean;
}

/** TmpfsMount: `type=tmpfs,target=/x[,size=64m]` (size in bytes). */
export interface TmpfsMount {
  type: 'tmpfs';
  target: string;
  size?: number;
}

/** SecretMount: `type=secret[,id=][,target=][,env=][,required]`. */
export interface SecretMount extends MountFileInfo {
  type: 'secret';
  id?: string;
  source?: string;
  target?: string;
  env?: string;
  required: boolean;
}

/** SshMount: `type=ssh[,id=default][,target=][,required]`. */
export interface SshMount extends MountFileInfo {
  type: 'ssh';
  id?: string;
  target?: string;
  required: boolean;
}

/** RunInstruction: `RUN [--mount=...] [--network=none|host|default] [--security=...] <command>`. */
export interface RunInstruction extends Base {
  kind: 'run';
  command: Command;
  mounts: RunMount[];
  /** mountRanges[i] is where mounts[i]'s `--mount=` flag is written. */
  mountRanges?: Range[];
  network?: 'default' | 'none' | 'host';
  security?: 'sandbox' | 'insecure';
  heredocs: Heredoc[];
}

/** CmdInstruction: `CMD ["exec", "form"]` or `CMD shell form`. */
export interface CmdInstruction extends Base {
  kind: 'cmd';
  command: Command;
}

/** EntrypointInstruction: `ENTRYPOINT ["exec", "form"]` or `ENTRYPOINT shell form`. */
export interface EntrypointInstruction extends Base {
  kind: 'entrypoint';
  command: Command;
}

/** ShellInstruction: `SHELL ["executable", "parameters"]` (JSON form only). */
export interface ShellInstruction extends Base {
  kind: 'shell';
  args: string[];
}

/** LabelInstruction: `LABEL k=v ...` (or the old `LABEL k v`). */
export interface LabelInstruction extends Base {
  kind: 'label';
  pairs: KeyValue[];
}

/** EnvInstruction: `ENV k=v ...` (or the old `ENV k v`). */
export interface EnvInstruction extends Base {
  kind: 'env';
  pairs: KeyValue[];
}

/** MaintainerInstruction: `MAINTAINER name` (deprecated; a warning is recorded). */
export interface MaintainerInstruction extends Base {
  kind: 'maintainer';
  name: string;
}

/** ExposeInstruction: `EXPOSE 80 443/tcp ...` (raw words). */
export interface ExposeInstruction extends Base {
  kind: 'expose';
  ports: string[];
}

/**
 * CopyLike holds the fields COPY and ADD share. Flags an instruction does not accept are never
 * set (`checksum`, `keepGitDir`, `unpack` are ADD's; `from`, `parents` are COPY's).
 */
interface CopyLike extends Base {
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  checksum?: string;
  keepGitDir?: boolean;
  unpack?: boolean;
  /** sources (raw words); a heredoc source is its `<<NAME` word, with its body in heredocs. */
  sources: string[];
  dest: string;
  heredocs: Heredoc[];
  /** json: the arguments were a JSON array. */
  json: boolean;
}

/** CopyInstruction: `COPY [--from=] [--chown=] [--chmod=] [--link] [--parents] [--exclude=]... src... dest`. */
export interface CopyInstruction extends CopyLike {
  kind: 'copy';
}

/** AddInstruction: `ADD [--chown=] [--chmod=] [--link] [--checksum=] [--keep-git-dir] [--unpack] [--exclude=] src... dest`. */
export interface AddInstruction extends CopyLike {
  kind: 'add';
}

/** VolumeInstruction: `VOLUME ["/a", "/b"]` or `VOLUME /a /b`. */
export interface VolumeInstruction extends Base {
  kind: 'volume';
  paths: string[];
  json: boolean;
}

/** UserInstruction: `USER user[:group]` (raw). */
export interface UserInstruction extends Base {
  kind: 'user';
  user: string;
}

/** WorkdirInstruction: `WORKDIR /path` (raw). */
export interface WorkdirInstruction extends Base {
  kind: 'workdir';
  path: string;
}

/** ArgDefinition is one name of an ARG line, with its raw default when it has one. */
export interface ArgDefinition {
  name: string;
  value?: string;
  /** range of the `name[=value]` word. */
  range?: Range;
}

/** ArgInstruction: `ARG name[=default] ...`. */
export interface ArgInstruction extends Base {
  kind: 'arg';
  args: ArgDefinition[];
}

/** OnbuildInstruction: `ONBUILD <instruction>`; `expression` is the trigger's text as written. */
export interface OnbuildInstruction extends Base {
  kind: 'onbuild';
  instruction: Instruction;
  expression: string;
}

/** StopsignalInstruction: `STOPSIGNAL SIGTERM` (raw). */
export interface StopsignalInstruction extends Base {
  kind: 'stopsignal';
  signal: string;
}

/**
 * HealthcheckInstruction: `HEALTHCHECK NONE` or `HEALTHCHECK [--interval=30s] [--timeout=]
 * [--start-period=] [--start-interval=] [--retries=3] CMD <command>`. Durations are in
 * nanoseconds (Docker's image config unit); unset options are absent.
 */
export interface HealthcheckInstruction extends Base {
  kind: 'healthcheck';
  test: { type: 'none' } | { type: 'cmd'; command: Command };
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

/** Instruction is any instruction of a stage (FROM included). */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | LabelInstruction
  | EnvInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | CopyInstruction
  | AddInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction;

/** InstructionKind is the `kind` tag of an instruction. */
export type InstructionKind = Instruction['kind'];

/** Stage is one `FROM` and the instructions after it, up to the next `FROM`. */
export interface Stage {
  /** name from `FROM ... AS name`, lower-cased as BuildKit does. */
  name?: string;
  index: number;
  from: FromInstruction;
  /** instructions after the FROM (the FROM itself is `from`). */
  instructions: Instruction[];
  range: Range;
}

/** Dockerfile is a whole parsed file. */
export interface Dockerfile {
  file?: string;
  directives: ParserDirectives;
  /** metaArgs are the ARG instructions before the first FROM (they scope FROM lines). */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  warnings: Warning[];
}
