import { readFile } from 'node:fs/promises';

/** SubidRange is one line of /etc/subuid or /etc/subgid that belongs to the user. */
export interface SubidRange {
  start: number;
  count: number;
}

/**
 * findSubidRange returns the first range of `file` owned by the user (by name or numeric id), or undefined
 * when the file is missing or has none.
 */
export async function findSubidRange(file: string, name: string, id: number): Promise<SubidRange | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner === undefined || start === undefined || count === undefined) continue;
    if (owner !== name && owner !== String(id)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && c > 0) return { start: s, count: c };
  }
  return undefined;
}
