import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ArchiveError } from './errors.js';

/** Compression is what a tar stream may be wrapped in. */
export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** detectCompression recognises a compressed stream by its magic bytes. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** compressionOfMediaType tells a layer's compression from its media type. */
export function compressionOfMediaType(mediaType: string): Compression {
  if (mediaType.endsWith('gzip')) return 'gzip';
  if (mediaType.endsWith('zstd')) return 'zstd';
  return 'none';
}

/**
 * decompress returns a stream of `src` decompressed. gzip uses zlib; bzip2, xz and zstd use the
 * system tools (Node 20 has no decoder for them), fed and drained as streams.
 */
export function decompress(src: Readable, kind: Compression, what = 'stream'): Readable {
  switch (kind) {
    case 'none':
      return src;
    case 'gzip': {
      const gunzip = createGunzip();
      const out = new PassThrough();
      src.on('error', (e) => out.destroy(e));
      gunzip.on('error', (e) => out.destroy(new ArchiveError(`gzip: ${e.message}`, what)));
      src.pipe(gunzip).pipe(out);
      return out;
    }
    case 'bzip2':
      return viaTool(src, 'bzip2', ['-dc'], what);
    case 'xz':
      return viaTool(src, 'xz', ['-dc'], what);
    case 'zstd':
      return viaTool(src, 'zstd', ['-dc', '-q'], what);
  }
}

/** autoDecompress sniffs the first bytes of `src` and decompresses accordingly. */
export async function autoDecompress(src: Readable, what = 'stream'): Promise<{ stream: Readable; compression: Compression }> {
  const { head, stream } = await peek(src, 6);
  const compression = detectCompression(head);
  return { stream: decompress(stream, compression, what), compression };
}

/** peek reads at least `n` bytes (or all, if shorter) and returns them with a stream that still yields them. */
export async function peek(src: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let len = 0;
  const iter = src[Symbol.asyncIterator]();
  while (len < n) {
    const r = (await iter.next()) as IteratorResult<Buffer>;
    if (r.done) break;
    chunks.push(r.value);
    len += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head;
      for (;;) {
        const r = (await iter.next()) as IteratorResult<Buffer>;
        if (r.done) return;
        yield r.value;
      }
    } finally {
      // A consumer that stops early must not leave the source (a file) open.
      await iter.return?.();
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

function viaTool(src: Readable, tool: string, args: string[], what: string): Readable {
  const out = new PassThrough();
  const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => out.destroy(new ArchiveError(`cannot run ${tool} to decompress: ${err.message}`, what)));
  child.stdin.on('error', () => undefined);
  src.on('error', (err) => {
    child.kill();
    out.destroy(err);
  });
  src.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  let stdoutDone = false;
  let exit: number | null | undefined;
  const finish = () => {
    if (!stdoutDone || exit === undefined) return;
    if (exit === 0) out.end();
    else out.destroy(new ArchiveError(`${tool} decompression failed: ${stderr.trim().split('\n')[0] ?? `exit ${exit}`}`, what));
  };
  child.stdout.on('end', () => ((stdoutDone = true), finish()));
  child.on('close', (code) => ((exit = code), finish()));
  out.on('close', () => {
    if (exit === undefined) child.kill();
  });
  return out;
}
