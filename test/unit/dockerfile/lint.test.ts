import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../../src/dockerfile/index.js';

// BuildKit's syntactic lint rules, collected as warnings (never thrown), and `# check=skip=`.
function warnings(text: string): string[] {
  return parseDockerfile(text).warnings.map((w) => `${w.range.start.line} ${w.rule}: ${w.message}`);
}

describe('lint warnings', () => {
  it('reports each rule at the instruction BuildKit points at', () => {
    const text = [
      'FROM busybox AS base', //                                  1
      'CMD echo one', //                                          2 JSONArgsRecommended, MultipleInstructionsDisallowed
      'CMD ["echo", "two"]', //                                   3
      'ENV legacy value', //                                      4 LegacyKeyValueFormat
      'run true', //                                              5 ConsistentInstructionCasing
      'FROM base AS base', //                                     6 DuplicateStageName
      'FROM busybox AS scratch', //                               7 ReservedStageName
      'SHELL ["/bin/ash", "-c"]', //                              8
      'ENTRYPOINT exec app', //                                   9 (SHELL set: no JSONArgsRecommended)
      'FROM base', //                                            10
      'ENTRYPOINT exec app', //                                  11 JSONArgsRecommended (base sets no SHELL)
      '',
    ].join('\n');
    expect(warnings(text)).toEqual([
      '2 JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
      '2 MultipleInstructionsDisallowed: Multiple CMD instructions should not be used in the same stage because only the last one will be used',
      '4 LegacyKeyValueFormat: "ENV key=value" should be used instead of legacy "ENV key value" format',
      "5 ConsistentInstructionCasing: Command 'run' should match the case of the command majority (uppercase)",
      '6 DuplicateStageName: Duplicate stage name "base", stage names should be unique',
      '7 ReservedStageName: Stage name should not use the same name as reserved stage "scratch"',
      '11 JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
    ]);
  });

  it('reports FROM arguments that no ARG declares, with a suggestion', () => {
    const text = 'ARG VERSION=1\nFROM --platform=$BUILDPLATFORM alpine:$VERSIN AS a\nFROM busybox:${VERSION}${SUFFIX:-}\n';
    expect(warnings(text)).toEqual([
      "2 UndefinedArgInFrom: FROM argument 'VERSIN' is not declared (did you mean VERSION?)",
      "3 UndefinedArgInFrom: FROM argument 'SUFFIX' is not declared",
    ]);
  });

  it('inherits SHELL from the stage a FROM names', () => {
    expect(warnings('FROM busybox AS sh\nSHELL ["/bin/ash", "-c"]\nFROM sh\nCMD run me\n')).toEqual([]);
  });

  it('skips the rules named in # check=skip=, or all of them', () => {
    const text = 'FROM busybox\nCMD echo\nMAINTAINER me\n';
    expect(warnings(`# check=skip=JSONArgsRecommended\n${text}`).map((w) => w.split(':')[0])).toEqual(['4 MaintainerDeprecated']);
    expect(warnings(`# check=skip=all\n${text}`)).toEqual([]);
  });
});
