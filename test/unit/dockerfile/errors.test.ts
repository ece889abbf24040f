import { describe, expect, it } from 'vitest';
import { DockerfileSyntaxError, parseAst, parseDockerfile } from '../../../src/dockerfile/index.js';
import { StrataError } from '../../../src/util/errors.js';

// Every syntax error: stable code, exact reason, line and column, and the hint where one helps.
interface Case {
  name: string;
  text: string;
  code: string;
  reason: string;
  line: number;
  column: number;
  hint?: string | RegExp;
}

const cases: Case[] = [
  { name: 'empty file', text: '', code: 'DOCKERFILE_EMPTY', reason: 'file with no instructions', line: 1, column: 1 },
  { name: 'only comments', text: '# a\n\n# b\n', code: 'DOCKERFILE_EMPTY', reason: 'file with no instructions', line: 3, column: 1 },
  {
    name: 'repeated directive', text: '# escape=\\\n# escape=`\nFROM a\n',
    code: 'DOCKERFILE_DIRECTIVE_REPEATED', reason: 'only one escape parser directive can be used', line: 2, column: 1,
    hint: 'remove this second escape line',
  },
  {
    name: 'invalid escape', text: '# escape=x\nFROM a\n',
    code: 'DOCKERFILE_INVALID_ESCAPE', reason: "invalid escape token 'x' does not match ` or \\", line: 1, column: 10,
    hint: 'write # escape=\\ (the default) or # escape=`',
  },
  {
    name: 'unknown instruction', text: 'FROM a\nCOPPY x /y\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: COPPY', line: 2, column: 1, hint: 'did you mean COPY?',
  },
  {
    name: 'unknown instruction, transposed letters', text: 'FORM alpine\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: FORM', line: 1, column: 1, hint: 'did you mean FROM?',
  },
  {
    name: 'missing continuation before &&', text: 'FROM a\nRUN apt-get update\n    && apt-get install -y curl\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: &&', line: 3, column: 5,
    hint: 'this line looks like the rest of the RUN on line 2: is a \\ missing at the end of line 2?',
  },
  {
    name: 'missing continuation before fi', text: 'FROM a\nRUN if true; then \\\n  echo yes; \\\n  else echo no;\nfi\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: fi', line: 5, column: 1,
    hint: 'this line looks like the rest of the RUN on line 2: is a \\ missing at the end of line 4?',
  },
  {
    name: 'missing continuation before a lower-case command', text: 'FROM a\nRUN set -eux; \\\n  apk add curl;\n  rm -rf /var/cache/apk\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: rm', line: 4, column: 3,
    hint: /is a \\ missing at the end of line 3\?/,
  },
  {
    name: 'lower-case word not after a shell line', text: 'FROM a\nWORKDIR /x\nfoo bar\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: foo', line: 3, column: 1,
  },
  {
    name: 'missing continuation with backtick escape', text: '# escape=`\nFROM a\nRUN dir\n  | more\n',
    code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', reason: 'unknown instruction: |', line: 4, column: 3, hint: /is a ` missing at the end of line 3\?/,
  },
  {
    name: 'unknown flag', text: 'FROM a\nCOPY --form=build /x /y\n',
    code: 'DOCKERFILE_UNKNOWN_FLAG', reason: 'unknown flag: --form', line: 2, column: 6, hint: 'did you mean --from?',
  },
  {
    name: 'flag on an instruction without flags', text: 'FROM a\nWORKDIR --x=1 /a\n',
    code: 'DOCKERFILE_UNKNOWN_FLAG', reason: 'unknown flag: --x', line: 2, column: 9, hint: 'WORKDIR takes no flags',
  },
  {
    name: 'string flag without a value', text: 'FROM a\nCOPY --chown /x /y\n',
    code: 'DOCKERFILE_FLAG_VALUE', reason: 'missing a value on flag: --chown', line: 2, column: 6, hint: 'write --chown=<value>',
  },
  {
    name: 'bad boolean flag', text: 'FROM a\nCOPY --link=maybe /x /y\n',
    code: 'DOCKERFILE_FLAG_VALUE', reason: 'expecting boolean value for flag --link, not: maybe', line: 2, column: 6,
  },
  {
    name: 'duplicate flag', text: 'FROM a\nCOPY --from=a --from=b /x /y\n',
    code: 'DOCKERFILE_FLAG_VALUE', reason: 'duplicate flag specified: --from', line: 2, column: 15,
  },
  {
    name: 'bad network', text: 'FROM a\nRUN --network=bridge true\n',
    code: 'DOCKERFILE_FLAG_VALUE', reason: 'invalid network mode "bridge"', line: 2, column: 5, hint: 'use default, none or host',
  },
  {
    name: 'bad mount type', text: 'FROM a\nRUN --mount=type=cahce,target=/x true\n',
    code: 'DOCKERFILE_INVALID_MOUNT', reason: 'unsupported mount type "cahce"', line: 2, column: 5, hint: 'did you mean cache?',
  },
  {
    name: 'bad mount key', text: 'FROM a\nRUN --mount=type=cache,taget=/x true\n',
    code: 'DOCKERFILE_INVALID_MOUNT', reason: "unexpected key 'taget' in 'taget=/x'", line: 2, column: 5, hint: 'did you mean target?',
  },
  {
    name: 'uid on a bind mount', text: 'FROM a\nRUN --mount=type=bind,target=/x,uid=1 true\n',
    code: 'DOCKERFILE_INVALID_MOUNT', reason: 'uid not allowed for "bind" type mounts', line: 2, column: 5,
  },
  {
    name: 'ENV without value', text: 'FROM a\nENV PATH\n',
    code: 'DOCKERFILE_MISSING_ARGUMENT', reason: 'ENV must have two arguments', line: 2, column: 9, hint: 'write ENV PATH=<value>',
  },
  {
    name: 'ENV word without =', text: 'FROM a\nENV A=1 B\n',
    code: 'DOCKERFILE_KEY_VALUE', reason: 'Syntax error - can\'t find = in "B". Must be of the form: name=value', line: 2, column: 9,
  },
  {
    name: 'JSON array with a non-string', text: 'FROM a\nCMD ["echo", 1]\n',
    code: 'DOCKERFILE_JSON_NOT_STRINGS', reason: 'when using JSON array syntax, arrays must be comprised of strings only', line: 2, column: 5,
  },
  {
    name: 'COPY without destination', text: 'FROM a\nCOPY onlyone\n',
    code: 'DOCKERFILE_MISSING_ARGUMENT', reason: 'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    line: 2, column: 6, hint: 'write COPY <source>... <destination>',
  },
  {
    name: 'RUN without command', text: 'FROM a\nRUN\n',
    code: 'DOCKERFILE_MISSING_ARGUMENT', reason: 'RUN requires at least one argument', line: 2, column: 4, hint: 'write RUN <command>',
  },
  {
    name: 'WORKDIR without path', text: 'FROM a\nWORKDIR\n',
    code: 'DOCKERFILE_MISSING_ARGUMENT', reason: 'WORKDIR requires exactly one argument', line: 2, column: 8,
  },
  {
    name: 'FROM with two words', text: 'FROM a b\n',
    code: 'DOCKERFILE_INVALID_ARGUMENT', reason: 'FROM requires either one or three arguments', line: 1, column: 8, hint: 'write FROM a AS b',
  },
  {
    name: 'bad stage name', text: 'FROM a AS 1st\n',
    code: 'DOCKERFILE_INVALID_STAGE_NAME', reason: 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols', line: 1, column: 11,
  },
  {
    name: 'instruction before FROM', text: 'RUN true\nFROM a\n',
    code: 'DOCKERFILE_NO_STAGE', reason: 'no build stage in current context', line: 1, column: 1, hint: 'add a FROM line before this RUN',
  },
  {
    name: 'unterminated heredoc', text: 'FROM a\nRUN <<EOF\necho hi\n',
    code: 'DOCKERFILE_UNTERMINATED_HEREDOC', reason: 'unterminated heredoc "EOF"', line: 2, column: 5, hint: 'end it with a line holding only EOF',
  },
  {
    name: 'heredoc as COPY destination', text: 'FROM a\nCOPY x <<EOF\nbody\nEOF\n',
    code: 'DOCKERFILE_INVALID_ARGUMENT', reason: 'COPY cannot accept a heredoc as a destination', line: 2, column: 6,
  },
  {
    name: 'SHELL in shell form', text: 'FROM a\nSHELL /bin/bash -c\n',
    code: 'DOCKERFILE_INVALID_ARGUMENT', reason: 'SHELL requires the arguments to be in JSON form', line: 2, column: 7,
    hint: 'write SHELL ["/bin/sh", "-c"]',
  },
  {
    name: 'HEALTHCHECK bad type', text: 'FROM a\nHEALTHCHECK CONNECT tcp\n',
    code: 'DOCKERFILE_INVALID_ARGUMENT', reason: 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)', line: 2, column: 13,
  },
  {
    name: 'HEALTHCHECK bad duration', text: 'FROM a\nHEALTHCHECK --interval=5 CMD true\n',
    code: 'DOCKERFILE_FLAG_VALUE', reason: 'time: invalid duration "5"', line: 2, column: 13,
    hint: 'use a duration such as 30s, 1m30s or 500ms',
  },
  {
    name: 'HEALTHCHECK negative retries', text: 'FROM a\nHEALTHCHECK --retries=-1 CMD true\n',
    code: 'DOCKERFILE_FLAG_VALUE', reason: '--retries cannot be negative (-1)', line: 2, column: 13,
  },
  {
    name: 'ONBUILD ONBUILD', text: 'FROM a\nONBUILD ONBUILD RUN x\n',
    code: 'DOCKERFILE_INVALID_ARGUMENT', reason: 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', line: 2, column: 9,
  },
  {
    name: 'error on a continuation line', text: 'FROM a\nCOPY --chown=1 \\\n    --bogus=2 x /y\n',
    code: 'DOCKERFILE_UNKNOWN_FLAG', reason: 'unknown flag: --bogus', line: 3, column: 5,
    hint: 'COPY accepts --chown, --from, --chmod, --link, --exclude, --parents',
  },
  {
    name: 'line too long', text: `FROM a\nRUN ${'x'.repeat(70000)}\n`,
    code: 'DOCKERFILE_LINE_TOO_LONG', reason: 'dockerfile line greater than max allowed size of 65535', line: 2, column: 1,
  },
];

function catchError(text: string): DockerfileSyntaxError {
  try {
    parseDockerfile(text, { file: 'Dockerfile' });
  } catch (err) {
    if (err instanceof DockerfileSyntaxError) return err;
    throw err;
  }
  throw new Error('expected a syntax error');
}

describe('syntax errors', () => {
  for (const c of cases) {
    it(c.name, () => {
      const err = catchError(c.text);
      expect(err).toBeInstanceOf(StrataError);
      expect({ code: err.code, reason: err.reason, line: err.line, column: err.column }).toEqual({
        code: c.code, reason: c.reason, line: c.line, column: c.column,
      });
      if (c.hint === undefined) expect(err.hint).toBeUndefined();
      else if (typeof c.hint === 'string') expect(err.hint).toBe(c.hint);
      else expect(err.hint).toMatch(c.hint);
      expect(err.message.startsWith(`Dockerfile:${c.line}:${c.column}: ${c.reason}`)).toBe(true);
    });
  }

  it('frames the offending line with a caret under the column', () => {
    const err = catchError('FROM a\nCOPY --form=build /x /y\n');
    expect(err.frame).toBe([' 2 | COPY --form=build /x /y', '   |      ^'].join('\n'));
  });

  it('keeps unknown instructions at the AST level, as BuildKit does', () => {
    expect(() => parseAst('FROM a\nFOO bar\n')).not.toThrow();
  });
});
