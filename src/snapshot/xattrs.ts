import { spawn } from 'node:child_process';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// Node has no xattr calls, so extended attributes go through attr's getfattr/setfattr: one process per
// tree (never one per file), reading and writing the `getfattr --dump` format.

/** XattrTree maps a path relative to the walked root ('' is the root) to that file's attributes. */
export type XattrTree = Map<string, Map<string, Buffer>>;

/** OVERLAY_PRIVATE matches the attributes overlayfs keeps for itself; they never go into a layer. */
export const OVERLAY_PRIVATE = /^(trusted|user)\.overlay\./;

/** OPAQUE_XATTRS are the attribute names overlayfs uses to mark a directory opaque (root and userxattr mounts). */
export const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque'];

function unescapePath(s: string): string {
  // getfattr escapes control characters, backslash and non-ASCII bytes as \ooo octal.
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 3 < raw.length + 0 && /^[0-7]{3}$/.test(raw.subarray(i + 1, i + 4).toString('latin1'))) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 4).toString('latin1'), 8));
      i += 3;
    } else bytes.push(raw[i]!);
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeValue(v: string): Buffer {
  if (v.startsWith('0s')) return Buffer.from(v.slice(2), 'base64');
  if (v.startsWith('0x')) return Buffer.from(v.slice(2), 'hex');
  if (v.startsWith('"') && v.endsWith('"')) return Buffer.from(v.slice(1, -1));
  return Buffer.from(v);
}

/**
 * readXattrTree returns the extended attributes of every file under `dir` (symlinks not followed), or an
 * empty map when getfattr is missing (such hosts build layers without xattrs).
 */
export async function readXattrTree(dir: string): Promise<XattrTree> {
  const out = await new Promise<string>((resolve) => {
    const p = spawn('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'base64', '--absolute-names', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (c: string) => (text += c));
    p.on('error', () => resolve(''));
    p.on('close', () => resolve(text));
  });
  const tree: XattrTree = new Map();
  let current: Map<string, Buffer> | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      tree.set(relative(dir, unescapePath(line.slice(8))), current);
    } else if (current && line !== '' && !line.startsWith('#')) {
      const eq = line.indexOf('=');
      if (eq > 0) current.set(line.slice(0, eq), decodeValue(line.slice(eq + 1)));
      else current.set(line, Buffer.alloc(0));
    }
  }
  return tree;
}

function escapePath(p: string): string {
  const out: string[] = [];
  for (const byte of Buffer.from(p)) {
    if (byte < 0x21 || byte > 0x7e || byte === 0x5c) out.push('\\' + byte.toString(8).padStart(3, '0'));
    else out.push(String.fromCharCode(byte));
  }
  return out.join('');
}

/**
 * writeXattrs sets attributes on many files with one setfattr process. Paths are absolute and are not
 * followed if they are symlinks. Throws when setfattr is missing or fails.
 */
export async function writeXattrs(items: { path: string; name: string; value: Buffer }[]): Promise<void> {
  if (items.length === 0) return;
  const byPath = new Map<string, string[]>();
  for (const { path, name, value } of items) {
    const lines = byPath.get(path) ?? [];
    lines.push(`${name}=0s${value.toString('base64')}`);
    byPath.set(path, lines);
  }
  const dump = [...byPath].map(([p, lines]) => `# file: ${escapePath(p)}\n${lines.join('\n')}\n`).join('\n');
  const tmp = await mkdtemp(join(tmpdir(), 'strata-xattr-'));
  try {
    await writeFile(join(tmp, 'dump'), dump);
    await new Promise<void>((resolve, reject) => {
      const p = spawn('setfattr', ['-h', `--restore=${join(tmp, 'dump')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (c) => (err += c));
      p.on('error', (e) => reject(new Error(`setfattr: ${e.message} (install attr)`)));
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`setfattr: ${err.trim().split('\n')[0] ?? `exit ${code}`}`))));
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
