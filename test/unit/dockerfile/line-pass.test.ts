import { describe, expect, it } from 'vitest';
import { dumpAst, heredocContent, parseAst, parseDockerfile } from '../../../src/dockerfile/index.js';

// The line pass: directives, comments, continuations, line endings, heredoc bodies.
const dump = (text: string) => dumpAst(parseAst(text));

describe('parser directives', () => {
  it('reads syntax, escape and check, case-insensitively, with spaces around =', () => {
    const df = parseDockerfile('# SYNTAX = docker/dockerfile:1\n#Escape=`\n#  check=skip=all\nFROM a\n');
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1', escape: '`', check: 'skip=all' });
  });

  it('stops at a blank line, an ordinary comment, an unknown directive or an instruction', () => {
    expect(parseAst('\n# escape=`\nFROM a\n').directives.escape).toBe('\\');
    expect(parseAst('# hello\n# escape=`\nFROM a\n').directives.escape).toBe('\\');
    expect(parseAst('# foo=bar\n# escape=`\nFROM a\n').directives.escape).toBe('\\');
    expect(parseAst('FROM a\n# escape=`\n').directives.escape).toBe('\\');
  });

  it('uses the escape directive for continuations and words', () => {
    expect(dump('# escape=`\nFROM a\nRUN dir c:\\ `\n  /w\nENV A=c:\\x B=`"q`"\n')).toBe(
      '(from "a")\n(run "dir c:\\\\   /w")\n(env "A" "c:\\\\x" "=" "B" "`\\"q`\\"" "=")\n',
    );
  });
});

describe('lines', () => {
  it('treats CRLF like LF and drops a byte-order mark', () => {
    expect(dump('\ufeffFROM a\r\nRUN x \\\r\n  y\r\n')).toBe('(from "a")\n(run "x   y")\n');
  });

  it('joins across comment lines and skips empty continuation lines with a warning', () => {
    const ast = parseAst('FROM a\nRUN a \\\n# note\n\n  b\n');
    expect(dumpAst(ast)).toBe('(from "a")\n(run "a   b")\n');
    expect(ast.warnings.map((w) => w.code)).toEqual(['EMPTY_CONTINUATION']);
    expect(ast.nodes[1]).toMatchObject({ startLine: 2, endLine: 5 });
  });

  it('ends an instruction at end of file while a continuation is open', () => {
    expect(dump('FROM a\nRUN a \\')).toBe('(from "a")\n(run "a")\n');
  });

  it('does not continue after two escape characters', () => {
    expect(dump('FROM a\nRUN echo \\\\\nRUN b\n')).toBe('(from "a")\n(run "echo \\\\\\\\")\n(run "b")\n');
  });

  it('gives every instruction a range from its keyword to its last character', () => {
    const df = parseDockerfile('FROM a\n  RUN x \\\n    y\n');
    expect(df.stages[0]!.instructions[0]!.range).toEqual({ start: { line: 2, column: 3 }, end: { line: 3, column: 6 } });
  });
});

describe('heredocs', () => {
  it('consumes bodies so they are not read as instructions, with CRLF terminators', () => {
    const ast = parseAst('FROM a\r\nRUN <<EOF\r\nFROM not-an-instruction\r\nEOF\r\nRUN b\r\n');
    expect(dumpAst(ast)).toBe('(from "a")\n(run "<<EOF")\n(run "b")\n');
    expect(ast.nodes[1]!.heredocs[0]!.content).toBe('FROM not-an-instruction\r\n');
  });

  it('strips leading tabs from the terminator with <<-', () => {
    const df = parseDockerfile('FROM a\nRUN <<-X\n\tbody\n\t\tX\n');
    const run = df.stages[0]!.instructions[0]!;
    expect(run.kind === 'run' && run.heredocs[0]).toMatchObject({ name: 'X', chomp: true, content: '\tbody\n' });
  });

  it('is not recognised for other instructions or in JSON form', () => {
    expect(dump('FROM a\nLABEL x=<<EOF\nRUN ["cat", "<<EOF"]\n')).toBe('(from "a")\n(label "x" "<<EOF" "=")\n(run "cat" "<<EOF")\n');
  });
});

describe('heredocContent', () => {
  it('strips leading tabs of every line only for <<-', () => {
    expect(heredocContent({ content: '\t\ta\n\tb\nc\t\n', chomp: true })).toBe('a\nb\nc\t\n');
    expect(heredocContent({ content: '\ta\n', chomp: false })).toBe('\ta\n');
  });
});
