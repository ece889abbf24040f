import { DockerfileErrorCode } from './errors.js';
import type { InstructionRequest } from './instruction-request.js';
import type { RunInstruction } from './ir.js';
import { MountProblem, parseRunMount } from './run-mount.js';

/** runInstruction reads `RUN [--mount=...]... [--network=] [--security=] <command>`. */
export function runInstruction(req: InstructionRequest): RunInstruction {
  const { node } = req;
  const flags = req.flags({ mount: 'strings', network: 'string', security: 'string' });
  if (node.args.length === 0 && !node.json) {
    throw req.fail(DockerfileErrorCode.MissingArgument, 'RUN requires at least one argument', req.argsOffset(), 'write RUN <command>');
  }
  const mountFlags = node.raw.flags.filter((f) => f.value.startsWith('--mount='));
  const mounts = mountFlags.map((f) => {
    try {
      return parseRunMount(f.value.slice('--mount='.length));
    } catch (err) {
      if (!(err instanceof MountProblem)) throw err;
      throw req.fail(DockerfileErrorCode.InvalidMount, err.message, f.offset, err.hint);
    }
  });
  const out: RunInstruction = {
    kind: 'run', range: node.range, keyword: node.keywordText, original: req.original(), command: req.command(), mounts, heredocs: node.heredocs,
  };
  if (mountFlags.length > 0) out.mountRanges = mountFlags.map((f) => req.rangeOf(f.offset, f.text.length));
  const network = flags.strings.get('network');
  if (network !== undefined) {
    if (network !== 'default' && network !== 'none' && network !== 'host') {
      throw req.flagFail('network', `invalid network mode ${JSON.stringify(network)}`, 'use default, none or host');
    }
    out.network = network;
  }
  const security = flags.strings.get('security');
  if (security !== undefined) {
    if (security !== 'sandbox' && security !== 'insecure') {
      throw req.flagFail('security', `security ${JSON.stringify(security)} is not valid`, 'use sandbox or insecure');
    }
    out.security = security;
  }
  return out;
}
