import { locatedError, type AstNode, type Located } from './ast.js';
import { copyInstruction } from './copy-instruction.js';
import { DockerfileErrorCode, type DockerfileSyntaxError } from './errors.js';
import { fromInstruction } from './from-instruction.js';
import { healthcheckInstruction } from './healthcheck-instruction.js';
import { suggest } from './hints.js';
import { InstructionRequest, NO_FLAGS, type InstructionContext } from './instruction-request.js';
import type { Instruction } from './ir.js';
import { runInstruction } from './run-instruction.js';

/**
 * toInstruction gives an AST node its meaning: one typed IR variant per instruction, flags
 * checked and parsed, argument counts checked, as BuildKit's `instructions` package does.
 * The larger instructions have their own files (from-, run-, copy-, healthcheck-instruction.ts).
 */

export type { InstructionContext } from './instruction-request.js';

/** KNOWN_INSTRUCTIONS are the keywords the IR accepts, upper case. */
export const KNOWN_INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

const KNOWN = new Set<string>(KNOWN_INSTRUCTIONS);

/** unknownInstructionError builds the error for an unknown keyword, with the best hint. */
export function unknownInstructionError(ctx: Located, node: AstNode, hint: string | undefined): DockerfileSyntaxError {
  const close = suggest(node.keywordText, KNOWN_INSTRUCTIONS);
  const h = hint ?? (close ? `did you mean ${close}?` : undefined);
  return locatedError(ctx, DockerfileErrorCode.UnknownInstruction, `unknown instruction: ${node.keywordText}`, node.line, node.base, h);
}

function onbuildInstruction(req: InstructionRequest): Instruction {
  const n = req.node;
  req.flags(NO_FLAGS);
  if (!n.next) throw req.fail(DockerfileErrorCode.MissingArgument, 'ONBUILD requires at least one argument', req.argsOffset());
  const trigger = n.next.keyword.toUpperCase();
  const triggerOffset = n.next.base - n.base;
  if (trigger === 'ONBUILD') {
    throw req.fail(DockerfileErrorCode.InvalidArgument, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", triggerOffset);
  }
  if (trigger === 'MAINTAINER' || trigger === 'FROM') {
    throw req.fail(DockerfileErrorCode.InvalidArgument, `${trigger} isn't allowed as an ONBUILD trigger`, triggerOffset);
  }
  // The heredocs BuildKit attaches to ONBUILD belong to its trigger.
  const nested: AstNode = { ...n.next, heredocs: n.heredocs, range: { start: n.next.range.start, end: n.range.end } };
  const instruction = toInstruction(req.ctx, nested);
  let expression = n.original.replace(/^\s*onbuild\s*/i, '');
  for (const h of n.heredocs) expression += `\n${h.content}${h.name}`;
  return { kind: 'onbuild', range: req.node.range, keyword: req.node.keywordText, original: req.original(), instruction, expression };
}

function argInstruction(req: InstructionRequest): Instruction {
  req.flags(NO_FLAGS);
  req.atLeastOne();
  const words = req.words();
  const args = req.node.args.map((word, i) => {
    const eq = word.indexOf('=');
    const w = words[i];
    const range = w ? req.rangeOf(w.offset, w.text.length) : req.node.range;
    if (eq < 0) return { name: word, range };
    if (eq === 0) throw req.fail(DockerfileErrorCode.InvalidArgument, 'ARG names can not be blank', w?.offset ?? req.argsOffset());
    return { name: word.slice(0, eq), value: word.slice(eq + 1), range };
  });
  return { kind: 'arg', range: req.node.range, keyword: req.node.keywordText, original: req.original(), args };
}

/** toInstruction converts one AST node to its IR variant (unknown keywords are errors). */
export function toInstruction(ctx: InstructionContext, node: AstNode): Instruction {
  const upper = node.keyword.toUpperCase();
  if (!KNOWN.has(upper)) throw unknownInstructionError(ctx, node, undefined);
  const req = new InstructionRequest(ctx, node);
  switch (node.keyword) {
    case 'from':
      return fromInstruction(req);
    case 'run':
      return runInstruction(req);
    case 'copy':
    case 'add':
      return copyInstruction(req);
    case 'healthcheck':
      return healthcheckInstruction(req);
    case 'onbuild':
      return onbuildInstruction(req);
    case 'arg':
      return argInstruction(req);
    case 'cmd':
    case 'entrypoint':
      req.flags(NO_FLAGS);
      return { kind: node.keyword, range: req.node.range, keyword: req.node.keywordText, original: req.original(), command: req.command() };
    case 'shell':
      req.flags(NO_FLAGS);
      req.atLeastOne();
      if (!node.json) {
        throw req.fail(DockerfileErrorCode.InvalidArgument, 'SHELL requires the arguments to be in JSON form', req.argsOffset(), 'write SHELL ["/bin/sh", "-c"]');
      }
      return { kind: 'shell', range: req.node.range, keyword: req.node.keywordText, original: req.original(), args: node.args };
    case 'env':
    case 'label':
      return { kind: node.keyword, range: req.node.range, keyword: req.node.keywordText, original: req.original(), pairs: req.pairs() };
    case 'maintainer': {
      const name = req.exactlyOne();
      req.flags(NO_FLAGS);
      req.warn('MAINTAINER_DEPRECATED', 'MaintainerDeprecated', 'MAINTAINER instruction is deprecated in favor of using label');
      return { kind: 'maintainer', range: req.node.range, keyword: req.node.keywordText, original: req.original(), name };
    }
    case 'expose':
      req.atLeastOne();
      req.flags(NO_FLAGS);
      return { kind: 'expose', range: req.node.range, keyword: req.node.keywordText, original: req.original(), ports: node.args };
    case 'volume': {
      req.atLeastOne();
      req.flags(NO_FLAGS);
      const paths = node.args.map((p) => p.trim());
      if (paths.includes('')) throw req.fail(DockerfileErrorCode.InvalidArgument, 'VOLUME specified can not be an empty string', req.argsOffset());
      return { kind: 'volume', range: req.node.range, keyword: req.node.keywordText, original: req.original(), paths, json: node.json };
    }
    case 'user':
      req.flags(NO_FLAGS);
      return { kind: 'user', range: req.node.range, keyword: req.node.keywordText, original: req.original(), user: req.exactlyOne() };
    case 'workdir':
      req.flags(NO_FLAGS);
      return { kind: 'workdir', range: req.node.range, keyword: req.node.keywordText, original: req.original(), path: req.exactlyOne() };
    case 'stopsignal':
      // As BuildKit, STOPSIGNAL does not read its flags.
      return { kind: 'stopsignal', range: req.node.range, keyword: req.node.keywordText, original: req.original(), signal: req.exactlyOne() };
    default:
      throw unknownInstructionError(ctx, node, undefined);
  }
}
