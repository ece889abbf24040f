import { DockerfileErrorCode } from './errors.js';
import type { FlagSpec } from './flags.js';
import { parseHeredocMarker } from './heredoc.js';
import type { InstructionRequest } from './instruction-request.js';
import type { AddInstruction, CopyInstruction } from './ir.js';

const COPY_FLAGS: FlagSpec = { chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool' };
const ADD_FLAGS: FlagSpec = {
  chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool', exclude: 'strings',
};

/** copyInstruction reads COPY and ADD: flags, sources (heredoc markers included) and destination. */
export function copyInstruction(req: InstructionRequest): CopyInstruction | AddInstruction {
  const n = req.node;
  const upper = req.upper;
  if (n.args.length < 2) {
    throw req.fail(
      DockerfileErrorCode.MissingArgument,
      `${upper} requires at least two arguments, but only one was provided. Destination could not be determined`,
      req.argsOffset(),
      `write ${upper} <source>... <destination>`,
    );
  }
  const isCopy = n.keyword === 'copy';
  const flags = req.flags(isCopy ? COPY_FLAGS : ADD_FLAGS);
  const dest = n.args[n.args.length - 1]!;
  if (!n.json && dest.includes('<<') && parseHeredocMarker(dest)) {
    throw req.fail(DockerfileErrorCode.InvalidArgument, `${upper} cannot accept a heredoc as a destination`, req.argsOffset());
  }
  // Plain object literals (no spreads): V8 builds them from a boilerplate, much faster.
  const out: CopyInstruction | AddInstruction = {
    kind: isCopy ? 'copy' : 'add',
    range: n.range,
    keyword: n.keywordText,
    original: req.original(),
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
  if (chown !== undefined) out.chown = chown;
  if (chmod !== undefined) out.chmod = chmod;
  const from = flags.strings.get('from');
  if (from !== undefined) out.from = from;
  const checksum = flags.strings.get('checksum');
  if (checksum !== undefined) out.checksum = checksum;
  const keepGitDir = flags.bools.get('keep-git-dir');
  if (keepGitDir !== undefined) out.keepGitDir = keepGitDir;
  const unpack = flags.bools.get('unpack');
  if (unpack !== undefined) out.unpack = unpack;
  return out;
}
