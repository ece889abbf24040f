/** shq quotes one word for POSIX sh: the generated setup scripts never interpolate unquoted text. */
export function shq(word: string): string {
  if (word.includes('\0')) throw new Error(`NUL byte in shell word ${JSON.stringify(word)}`);
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** shCmd quotes a whole argv. */
export function shCmd(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}
