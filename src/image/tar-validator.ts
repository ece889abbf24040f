import { Transform, type TransformCallback } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { ArchiveError } from './errors.js';
import { checkTarEntry, type TarPolicy } from './tar-policy.js';

/**
 * tarValidator passes a tar stream through byte for byte while parsing it on the side: every entry
 * is checked against the policy, and a malformed or truncated tar fails the stream. So a layer can
 * be hashed and stored from the exact bytes it was given, yet nothing unsafe gets in.
 * `onEntry` sees each header (for counting, or listing files).
 */
export function tarValidator(policy: TarPolicy, what: string, onEntry?: (h: Header) => void): Transform {
  const ex = extract();
  let failure: Error | undefined;
  let entries = 0;
  let current: string | undefined;
  const fail = (err: unknown) => {
    if (err instanceof ArchiveError) failure ??= err;
    else if (/unexpected end/i.test((err as Error).message)) failure ??= new ArchiveError('archive is truncated', current ?? what);
    else failure ??= new ArchiveError(`not a valid tar archive: ${(err as Error).message}`, current ?? what);
  };
  ex.on('entry', (h: Header, stream, next) => {
    // Destroying the extractor destroys the entry too; its error is reported through `failure`.
    stream.on('error', () => undefined);
    current = h.name;
    try {
      checkTarEntry(h, policy);
      onEntry?.(h);
      entries++;
    } catch (err) {
      fail(err);
      ex.destroy(failure);
      return;
    }
    stream.on('end', () => next());
    stream.resume();
  });
  ex.on('error', fail);
  const settled = new Promise<void>((resolve) => {
    ex.on('finish', () => resolve());
    ex.on('close', () => resolve());
  });
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      if (failure) return cb(failure);
      if (ex.write(chunk)) return cb(null, chunk);
      const onDrain = (): void => {
        ex.off('close', onDrain);
        ex.off('drain', onDrain);
        cb(failure ?? null, chunk);
      };
      ex.once('drain', onDrain);
      ex.once('close', onDrain);
    },
    flush(cb: TransformCallback) {
      if (failure) return cb(failure);
      ex.end(undefined);
      void settled.then(() => {
        if (!failure && entries === 0) fail(new ArchiveError('archive is empty or not a tar archive', what));
        cb(failure ?? null);
      });
    },
  });
}
