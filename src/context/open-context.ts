import { spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ContextError } from './errors.js';
import { loadIgnoreFile, type IgnoreMatcher } from './ignore.js';

/** ContextRequest says where the context and the Dockerfile come from (the CLI's argument and -f). */
export interface ContextRequest {
  /** a directory, or '-' for stdin (a tar, possibly compressed, or a bare Dockerfile). */
  context: string;
  /** -f: a path (relative to cwd), or '-' for a Dockerfile on stdin; default <context>/Dockerfile. */
  dockerfile?: string;
  stdin?: Readable;
  cwd?: string;
}

/**
 * BuildContext is an opened context: a directory on disk (a stdin tar is unpacked into a private
 * temp dir first), the Dockerfile's text and name, and the ignore rules. `close` removes what
 * openContext created.
 */
export interface BuildContext {
  /** root is undefined for a Dockerfile given on stdin without a context (`strata build - < Dockerfile`). */
  root: string | undefined;
  dockerfileText: string;
  /** dockerfileName is what error messages show (`Dockerfile`, `build/app.Dockerfile`). */
  dockerfileName: string;
  ignore: IgnoreMatcher;
  close(): Promise<void>;
}

export async function openContext(req: ContextRequest): Promise<BuildContext> {
  const cwd = req.cwd ?? process.cwd();
  const cleanups: string[] = [];
  const close = async (): Promise<void> => {
    for (const d of cleanups) await rm(d, { recursive: true, force: true });
  };
  try {
    let root: string | undefined;
    let stdinDockerfile: string | undefined;
    if (req.context === '-') {
      if (req.dockerfile === '-') throw new ContextError('cannot read both the context and the Dockerfile from stdin');
      if (!req.stdin) throw new ContextError('context "-" needs stdin');
      const head = await readHeadAndRest(req.stdin);
      if (isArchive(head.first)) {
        root = await mkdtemp(join(tmpdir(), 'strata-context-'));
        cleanups.push(root);
        await untarInto(root, head.first, head.rest, compressionFlag(head.first));
      } else {
        stdinDockerfile = await collectText(head.first, head.rest);
      }
    } else {
      root = resolve(cwd, req.context);
      const st = await stat(root).catch(() => undefined);
      if (!st) throw new ContextError(`unable to prepare context: path ${JSON.stringify(req.context)} not found`);
      if (!st.isDirectory()) throw new ContextError(`unable to prepare context: ${JSON.stringify(req.context)} is not a directory`);
      root = await realpath(root);
    }

    let dockerfileText: string;
    let dockerfileName: string;
    let dockerfilePath: string | undefined;
    if (stdinDockerfile !== undefined) {
      dockerfileText = stdinDockerfile;
      dockerfileName = 'Dockerfile';
    } else if (req.dockerfile === '-') {
      if (!req.stdin) throw new ContextError('-f - needs stdin');
      const head = await readHeadAndRest(req.stdin);
      dockerfileText = await collectText(head.first, head.rest);
      dockerfileName = 'Dockerfile';
    } else {
      // -f is relative to the current directory (docker's rule); default: Dockerfile in the context.
      dockerfilePath = req.dockerfile ? resolve(cwd, req.dockerfile) : join(root!, 'Dockerfile');
      dockerfileText = await readFile(dockerfilePath, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new ContextError(`failed to read dockerfile: open ${req.dockerfile ?? 'Dockerfile'}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
      });
      const rel = root ? relative(root, dockerfilePath) : dockerfilePath;
      dockerfileName = rel.startsWith('..') || isAbsolute(rel) ? dockerfilePath : rel;
    }
    const { matcher } = await loadIgnoreFile(root, dockerfilePath);
    return { root, dockerfileText, dockerfileName, ignore: matcher, close };
  } catch (err) {
    await close();
    throw err;
  }
}

interface Head {
  first: Buffer;
  rest: AsyncIterator<Buffer>;
}

/** readHeadAndRest reads at least 512 bytes (enough to sniff a tar or a compressor). */
async function readHeadAndRest(stream: Readable): Promise<Head> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let n = 0;
  while (n < 512) {
    const r = await it.next();
    if (r.done) break;
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(b);
    n += b.length;
  }
  return { first: Buffer.concat(chunks), rest: it };
}

function isArchive(b: Buffer): boolean {
  return compressionFlag(b) !== '' || (b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar');
}

function compressionFlag(b: Buffer): string {
  if (b[0] === 0x1f && b[1] === 0x8b) return '-z';
  if (b.subarray(0, 3).toString('latin1') === 'BZh') return '-j';
  if (b[0] === 0xfd && b.subarray(1, 6).toString('latin1') === '7zXZ\0') return '-J';
  return '';
}

async function collectText(first: Buffer, rest: AsyncIterator<Buffer>): Promise<string> {
  const chunks = [first];
  for (;;) {
    const r = await rest.next();
    if (r.done) break;
    chunks.push(Buffer.from(r.value));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * untarInto unpacks a context tar with GNU tar (no owners, no absolute names, no `..`; GNU tar
 * defers links that could be followed out of the directory). Only the context goes this way:
 * image layers are unpacked by src/snapshot.
 */
async function untarInto(dir: string, first: Buffer, rest: AsyncIterator<Buffer>, flag: string): Promise<void> {
  const args = ['-x', '--no-same-owner', '--no-same-permissions', '-C', dir, '-f', '-'];
  if (flag) args.unshift(flag);
  const child = spawn('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let errText = '';
  child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
  const done = new Promise<number>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res(code ?? 1));
  });
  const write = (b: Buffer): Promise<void> =>
    new Promise((res, rej) => child.stdin.write(b, (err) => (err ? rej(err) : res())));
  try {
    await write(first);
    for (;;) {
      const r = await rest.next();
      if (r.done) break;
      await write(Buffer.from(r.value));
    }
  } finally {
    child.stdin.end();
  }
  const code = await done;
  if (code !== 0) throw new ContextError(`cannot read the context tar from stdin: ${errText.trim().split('\n')[0] ?? `tar exit ${code}`}`);
}
