import { DockerfileErrorCode } from './errors.js';
import type { InstructionRequest } from './instruction-request.js';
import type { FromInstruction } from './ir.js';

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** fromInstruction reads `FROM [--platform=<p>] <image> [AS <name>]`; stage names are lower-cased. */
export function fromInstruction(req: InstructionRequest): FromInstruction {
  const a = req.node.args;
  const words = req.node.raw.args.form === 'words' ? req.node.raw.args.words : [];
  let stageName: string | undefined;
  if (a.length === 3 && a[1]!.toLowerCase() === 'as') {
    stageName = a[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw req.fail(
        DockerfileErrorCode.InvalidStageName,
        `invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`,
        words[2]?.offset ?? 0,
      );
    }
    if (stageName !== a[2]) req.warn('STAGE_NAME_CASING', 'StageNameCasing', `Stage name '${a[2]}' should be lowercase`);
    const kw = req.node.keywordText;
    const as = a[1]!;
    if ((kw === kw.toUpperCase() && as !== as.toUpperCase()) || (kw === kw.toLowerCase() && as !== as.toLowerCase())) {
      req.warn('FROM_AS_CASING', 'FromAsCasing', `'${as}' and '${kw}' keywords' casing do not match`);
    }
  } else if (a.length !== 1) {
    const hint = a.length === 0 ? 'write FROM <image> [AS <name>]' : a.length === 2 ? `write FROM ${a[0]} AS ${a[1]}` : undefined;
    throw req.fail(DockerfileErrorCode.InvalidArgument, 'FROM requires either one or three arguments', words[1]?.offset ?? req.argsOffset(), hint);
  }
  const platform = req.flags({ platform: 'string' }).strings.get('platform');
  const out: FromInstruction = { kind: 'from', range: req.node.range, keyword: req.node.keywordText, original: req.original(), image: a[0]! };
  if (platform !== undefined && platform !== '') out.platform = platform;
  if (stageName !== undefined) out.stageName = stageName;
  return out;
}
