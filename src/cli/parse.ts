import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dumpAst, parseAst } from '../dockerfile/ast.js';
import { parseDockerfile } from '../dockerfile/index.js';
import type { Dockerfile, Warning } from '../dockerfile/ir.js';
import { InvalidArgumentError, NotFoundError } from '../util/errors.js';

/**
 * `strata parse [-f Dockerfile] [--json | --dump | --short]`: reads a Dockerfile as a build would
 * and prints a summary (stages, instruction counts, warnings), the instruction IR as JSON, or
 * BuildKit's parser dump (byte-identical to BuildKit's `result` files).
 */

interface ParseOptions {
  file: string;
  json?: boolean;
  dump?: boolean;
  short?: boolean;
}

function readDockerfile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`Dockerfile not found: ${file}`);
    if (code === 'EISDIR') throw new InvalidArgumentError(`${file} is a directory; name the Dockerfile with -f`);
    throw err;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** summaryLine is the one-line description of a parsed Dockerfile. */
export function summaryLine(name: string, df: Dockerfile): string {
  const count = df.stages.reduce((n, s) => n + 1 + s.instructions.length, df.metaArgs.length);
  return `${name}: ${plural(df.stages.length, 'stage')}, ${plural(count, 'instruction')}, ${plural(df.warnings.length, 'warning')}`;
}

function warningLine(file: string, w: Warning): string {
  return `warning: ${file}:${w.range.start.line}:${w.range.start.column}: ${w.message}\n`;
}

function summary(name: string, df: Dockerfile): string {
  let out = `${summaryLine(name, df)}\n`;
  if (df.metaArgs.length) out += `  global ARGs: ${df.metaArgs.flatMap((a) => a.args.map((x) => x.name)).join(', ')}\n`;
  for (const s of df.stages) {
    const name = s.name ? ` ${s.name}` : '';
    const platform = s.from.platform ? ` (--platform=${s.from.platform})` : '';
    const kinds = new Map<string, number>();
    for (const i of s.instructions) kinds.set(i.kind.toUpperCase(), (kinds.get(i.kind.toUpperCase()) ?? 0) + 1);
    const detail = [...kinds].map(([k, n]) => (n > 1 ? `${k}×${n}` : k)).join(' ');
    out += `  stage ${s.index}${name}: FROM ${s.from.image}${platform}, lines ${s.range.start.line}-${s.range.end.line}, ${plural(s.instructions.length, 'instruction')}${detail ? `: ${detail}` : ''}\n`;
  }
  return out;
}

/** register adds `strata parse`. */
export function register(program: Command): void {
  program
    .command('parse')
    .description('parse a Dockerfile: print a summary, its instruction IR (--json) or BuildKit\'s parser dump (--dump)')
    .option('-f, --file <path>', 'the Dockerfile to read ("-" for standard input)', 'Dockerfile')
    .option('--json', 'print the instruction IR as JSON')
    .option('--dump', "print BuildKit's parser dump (AST s-expressions)")
    .option('--short', 'print only the one-line summary')
    .action((opts: ParseOptions) => {
      if ([opts.json, opts.dump, opts.short].filter(Boolean).length > 1) {
        throw new InvalidArgumentError('choose one of --json, --dump and --short');
      }
      const text = readDockerfile(opts.file);
      const name = opts.file === '-' ? 'Dockerfile' : opts.file;
      if (opts.dump) {
        const ast = parseAst(text, { file: name });
        process.stdout.write(dumpAst(ast));
        for (const w of ast.warnings) process.stderr.write(warningLine(name, w));
        return;
      }
      const df = parseDockerfile(text, { file: name });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(df, null, 2)}\n`);
        return;
      }
      process.stdout.write(opts.short ? `${summaryLine(name, df)}\n` : summary(name, df));
      for (const w of df.warnings) process.stderr.write(warningLine(name, w));
    });
}
