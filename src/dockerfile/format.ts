import type { Command, Dockerfile, Heredoc, Instruction, RunMount } from './ir.js';

/**
 * formatDockerfile prints an IR back as Dockerfile text that parses to the same IR (ranges,
 * `original` and keyword case aside): upper-case keywords, one line per instruction, heredoc
 * bodies after their line. The round trip is tested over the whole real-world corpus, which
 * checks that the IR keeps everything an instruction means.
 */

type Esc = '\\' | '`';
const NEEDS_QUOTES = /[\s"'\\`]/;

function flag(name: string, value: string, esc: Esc): string {
  if (!NEEDS_QUOTES.test(value)) return `--${name}=${value}`;
  // Inside quotes the flag reader takes the escape character's next character literally.
  let out = '';
  for (const ch of value) out += ch === '"' || ch === esc ? `${esc}${ch}` : ch;
  return `--${name}="${out}"`;
}

function csvField(f: string): string {
  return /[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
}

function mount(m: RunMount): string {
  const fields: string[] = [`type=${m.type}`];
  const add = (k: string, v: string | number | undefined) => {
    if (v !== undefined) fields.push(`${k}=${v}`);
  };
  switch (m.type) {
    case 'bind':
      add('target', m.target || undefined);
      add('source', m.source);
      add('from', m.from);
      fields.push(m.readOnly ? 'ro' : 'rw');
      break;
    case 'cache':
      add('target', m.target || undefined);
      add('id', m.id);
      add('sharing', m.sharing);
      add('from', m.from);
      add('source', m.source);
      fields.push(m.readOnly ? 'ro' : 'rw');
      break;
    case 'tmpfs':
      add('target', m.target || undefined);
      add('size', m.size);
      break;
    case 'secret':
    case 'ssh':
      add('id', m.id);
      if (m.type === 'secret') {
        add('source', m.source);
        add('env', m.env);
      }
      add('target', m.target);
      add('required', String(m.required));
      break;
  }
  if (m.type === 'cache' || m.type === 'secret' || m.type === 'ssh') {
    add('mode', m.mode === undefined ? undefined : m.mode.toString(8));
    add('uid', m.uid);
    add('gid', m.gid);
  }
  return fields.map(csvField).join(',');
}

function command(c: Command): string {
  return c.form === 'exec' ? JSON.stringify(c.args) : c.text;
}

function list(words: string[], json: boolean): string {
  return json ? JSON.stringify(words) : words.join(' ');
}

function bodies(heredocs: Heredoc[]): string {
  return heredocs.map((h) => `\n${h.content}${h.name}`).join('');
}

function line(keyword: string, flags: string[], rest: string): string {
  // Arguments that start with `--` follow a `--`, or they would read as flags.
  const sep = rest.startsWith('--') ? ['--'] : [];
  return [keyword, ...flags, ...sep, rest].filter((p) => p !== '').join(' ');
}

/** formatInstruction prints one instruction (with its heredoc bodies, if any). */
export function formatInstruction(ins: Instruction, esc: Esc = '\\'): string {
  const f = (name: string, value: string | undefined) => (value === undefined ? [] : [flag(name, value, esc)]);
  switch (ins.kind) {
    case 'from':
      return line('FROM', f('platform', ins.platform), ins.stageName ? `${ins.image} AS ${ins.stageName}` : ins.image);
    case 'run': {
      const flags = [...ins.mounts.map((m) => flag('mount', mount(m), esc)), ...f('network', ins.network), ...f('security', ins.security)];
      return line('RUN', flags, command(ins.command)) + bodies(ins.heredocs);
    }
    case 'cmd':
    case 'entrypoint':
      return line(ins.kind.toUpperCase(), [], command(ins.command));
    case 'shell':
      return `SHELL ${JSON.stringify(ins.args)}`;
    case 'env':
    case 'label': {
      const kw = ins.kind.toUpperCase();
      const only = ins.pairs[0];
      // A single value with blanks came from the old `KEY value` form: print it that way.
      if (ins.pairs.length === 1 && only && /\s/.test(only.value)) return `${kw} ${only.key} ${only.value}`;
      return `${kw} ${ins.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
    }
    case 'maintainer':
      return `MAINTAINER ${ins.name}`;
    case 'expose':
      return `EXPOSE ${ins.ports.join(' ')}`;
    case 'copy':
    case 'add': {
      const flags = [
        ...f('from', ins.from), ...f('chown', ins.chown), ...f('chmod', ins.chmod),
        ...(ins.link ? ['--link'] : []), ...(ins.parents ? ['--parents'] : []),
        ...ins.exclude.map((e) => flag('exclude', e, esc)), ...f('checksum', ins.checksum),
        ...f('keep-git-dir', ins.keepGitDir === undefined ? undefined : String(ins.keepGitDir)),
        ...f('unpack', ins.unpack === undefined ? undefined : String(ins.unpack)),
      ];
      return line(ins.kind.toUpperCase(), flags, list([...ins.sources, ins.dest], ins.json)) + bodies(ins.heredocs);
    }
    case 'volume':
      return `VOLUME ${list(ins.paths, ins.json)}`;
    case 'user':
      return `USER ${ins.user}`;
    case 'workdir':
      return `WORKDIR ${ins.path}`;
    case 'stopsignal':
      return `STOPSIGNAL ${ins.signal}`;
    case 'arg':
      return `ARG ${ins.args.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`)).join(' ')}`;
    case 'onbuild':
      return `ONBUILD ${formatInstruction(ins.instruction, esc)}`;
    case 'healthcheck': {
      if (ins.test.type === 'none') return 'HEALTHCHECK NONE';
      const ns = (v: number | undefined) => (v === undefined ? undefined : `${v}ns`);
      const flags = [
        ...f('interval', ns(ins.interval)), ...f('timeout', ns(ins.timeout)), ...f('start-period', ns(ins.startPeriod)),
        ...f('start-interval', ns(ins.startInterval)), ...f('retries', ins.retries === undefined ? undefined : String(ins.retries)),
      ];
      return line('HEALTHCHECK', flags, `CMD ${command(ins.test.command)}`);
    }
  }
}

/** formatDockerfile prints a whole Dockerfile: directives, meta ARGs, then each stage. */
export function formatDockerfile(df: Dockerfile): string {
  const esc = df.directives.escape;
  const out: string[] = [];
  if (df.directives.syntax !== undefined) out.push(`# syntax=${df.directives.syntax}`);
  if (esc !== '\\') out.push(`# escape=${esc}`);
  if (df.directives.check !== undefined) out.push(`# check=${df.directives.check}`);
  for (const a of df.metaArgs) out.push(formatInstruction(a, esc));
  for (const s of df.stages) {
    out.push(formatInstruction(s.from, esc));
    for (const i of s.instructions) out.push(formatInstruction(i, esc));
  }
  return `${out.join('\n')}\n`;
}
