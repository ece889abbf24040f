import { parseAst, locatedError, type AstNode } from './ast.js';
import { DockerfileErrorCode } from './errors.js';
import { looksLikeShellContinuation } from './hints.js';
import { KNOWN_INSTRUCTIONS, toInstruction, unknownInstructionError, type InstructionContext } from './instructions.js';
import type { ArgInstruction, Dockerfile, Instruction, Stage, Warning } from './ir.js';
import { lintDockerfile } from './lint.js';

/**
 * The Dockerfile front end's entry point. `parseDockerfile` reads a Dockerfile as BuildKit does
 * and returns the typed IR (directives, meta ARGs, stages, warnings), or throws a
 * DockerfileSyntaxError (a StrataError) with a stable code, `file:line:column`, a frame and a hint.
 */

export type * from './ir.js';
export { DockerfileErrorCode, DockerfileSyntaxError, type DockerfileErrorCodeValue } from './errors.js';
export { dumpAst, parseAst, type Ast, type AstNode } from './ast.js';
export { formatDockerfile, formatInstruction } from './format.js';
export { heredocContent, parseHeredocMarker } from './heredoc.js';
export { expandWord, expandWords, processWord, referencedVariables, ShellExpansionError } from './shell-lex.js';
export type { Env, ShellLexOptions, ShellLexResult } from './shell-lex.js';

const KNOWN = new Set(KNOWN_INSTRUCTIONS.map((k) => k.toLowerCase()));

function runsShell(node: AstNode | undefined): boolean {
  if (!node) return false;
  if (node.keyword === 'run') return true;
  return (node.keyword === 'cmd' || node.keyword === 'entrypoint') && !node.json;
}

/** continuationHint explains an unknown "instruction" that is really a shell line. */
function continuationHint(node: AstNode, prev: AstNode | undefined, escape: string): string | undefined {
  const word = node.keywordText;
  if (!looksLikeShellContinuation(word, runsShell(prev))) return undefined;
  if (!prev) return `${word} looks like part of a shell command, not an instruction`;
  return `this line looks like the rest of the ${prev.keywordText.toUpperCase()} on line ${prev.startLine}: is a ${escape} missing at the end of line ${node.startLine - 1}?`;
}

function byPosition(a: Warning, b: Warning): number {
  return a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column;
}

/**
 * skippedChecks reads `skip=` of a `# check=skip=A,B;error=true` directive (rule names, case-
 * insensitive, or `all`). `error=true` is the builder's business: it fails a build with warnings.
 */
export function skippedChecks(check: string | undefined): Set<string> | 'all' {
  const skip = new Set<string>();
  for (const part of (check ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== 'skip') continue;
    for (const rule of part.slice(eq + 1).split(',')) {
      const r = rule.trim().toLowerCase();
      if (r === 'all') return 'all';
      if (r) skip.add(r);
    }
  }
  return skip;
}

/** parseDockerfile parses Dockerfile text into the instruction IR. */
export function parseDockerfile(text: string, opts?: { file?: string }): Dockerfile {
  const ast = parseAst(text, opts);
  const ctx: InstructionContext = { file: ast.file, source: ast.source, warnings: [...ast.warnings] };
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  let prev: AstNode | undefined;
  for (const node of ast.nodes) {
    if (!KNOWN.has(node.keyword)) {
      throw unknownInstructionError(ctx, node, continuationHint(node, prev, ast.directives.escape));
    }
    const ins: Instruction = toInstruction(ctx, node);
    prev = node;
    if (ins.kind === 'from') {
      stages.push({
        ...(ins.stageName !== undefined && { name: ins.stageName }),
        index: stages.length,
        from: ins,
        instructions: [],
        range: { start: ins.range.start, end: ins.range.end },
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.kind === 'arg') {
        metaArgs.push(ins);
        continue;
      }
      throw locatedError(ctx, DockerfileErrorCode.NoStage, 'no build stage in current context', node.line, node.base, `add a FROM line before this ${node.keyword.toUpperCase()}`);
    }
    stage.instructions.push(ins);
    stage.range.end = ins.range.end;
  }
  if (stages.length === 0) {
    const last = ast.nodes[ast.nodes.length - 1]!;
    throw locatedError(ctx, DockerfileErrorCode.NoStage, 'no build stage in current context', last.line, last.base, 'add a FROM line');
  }
  const parts = { directives: ast.directives, metaArgs, stages, warnings: [] };
  const df: Dockerfile = opts?.file === undefined ? parts : { file: opts.file, ...parts };
  const skip = skippedChecks(ast.directives.check);
  const warnings = [...ctx.warnings, ...lintDockerfile(df)];
  df.warnings = skip === 'all' ? [] : warnings.filter((w) => !skip.has(w.rule.toLowerCase())).sort(byPosition);
  return df;
}
