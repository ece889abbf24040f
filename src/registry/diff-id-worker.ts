import { Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads that gunzip and hash layers on the side of a pull (see
 * DiffIdTap). The main thread already hashes every compressed byte for the store; doing the
 * uncompressed pass (inflate callbacks and a second sha256) there as well made pulls CPU-bound on
 * one core. The code is inline (eval) so it runs the same from dist/ and under vitest.
 */
const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createGunzip } = require('node:zlib');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'start') {
    const hash = createHash('sha256');
    const job = { hash, size: 0, gunzip: undefined, failed: false };
    const take = (c) => { hash.update(c); job.size += c.length; };
    if (m.gzip) {
      job.gunzip = createGunzip({ chunkSize: 256 << 10 });
      job.gunzip.on('data', take);
      job.gunzip.on('error', (e) => { job.failed = true; jobs.delete(m.id); parentPort.postMessage({ id: m.id, type: 'error', message: String(e && e.message) }); });
      job.gunzip.on('end', () => { jobs.delete(m.id); parentPort.postMessage({ id: m.id, type: 'done', diffID: 'sha256:' + hash.digest('hex'), size: job.size }); });
    }
    job.take = take;
    jobs.set(m.id, job);
  } else if (m.type === 'data') {
    const job = jobs.get(m.id);
    if (!job) return;
    const n = m.chunk.byteLength;
    const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, n);
    if (job.gunzip) job.gunzip.write(chunk, () => parentPort.postMessage({ id: m.id, type: 'ack', n }));
    else { job.take(chunk); parentPort.postMessage({ id: m.id, type: 'ack', n }); }
  } else if (m.type === 'end') {
    const job = jobs.get(m.id);
    if (!job) return;
    if (job.gunzip) job.gunzip.end();
    else { jobs.delete(m.id); parentPort.postMessage({ id: m.id, type: 'done', diffID: 'sha256:' + job.hash.digest('hex'), size: job.size }); }
  } else if (m.type === 'abort') {
    const job = jobs.get(m.id);
    if (job && job.gunzip) job.gunzip.destroy();
    jobs.delete(m.id);
  }
});
`;

export type WorkerReply = { id: number; type: 'ack'; n: number } | { id: number; type: 'done'; diffID: string; size: number } | { id: number; type: 'error'; message: string };

interface PoolWorker {
  worker: Worker;
  jobs: Map<number, (m: WorkerReply) => void>;
}

const POOL_SIZE = 2;
const pool: PoolWorker[] = [];
let nextId = 1;

/** sideHasher gives a job id on a pool worker: messages in, replies out through `onReply`. */
export function sideHasher(gzip: boolean, onReply: (m: WorkerReply) => void): { send: (chunk: Buffer) => void; end: () => void; abort: () => void } {
  let w = pool.length < POOL_SIZE ? undefined : pool.reduce((a, b) => (a.jobs.size <= b.jobs.size ? a : b));
  if (!w) {
    const worker = new Worker(WORKER_CODE, { eval: true });
    const jobs = new Map<number, (m: WorkerReply) => void>();
    worker.on('message', (m: WorkerReply) => jobs.get(m.id)?.(m));
    worker.on('error', (err) => {
      for (const cb of jobs.values()) cb({ id: 0, type: 'error', message: err.message });
      jobs.clear();
      pool.splice(pool.indexOf(w!), 1);
    });
    worker.unref();
    w = { worker, jobs };
    pool.push(w);
  }
  const id = nextId++;
  const pw = w;
  // a worker with work keeps the process alive (the pull awaits its answer); an idle one does not
  const forget = (): void => {
    pw.jobs.delete(id);
    if (pw.jobs.size === 0) pw.worker.unref();
  };
  pw.jobs.set(id, (m) => {
    if (m.type !== 'ack') forget();
    onReply(m);
  });
  pw.worker.ref();
  pw.worker.postMessage({ id, type: 'start', gzip });
  return {
    send: (chunk) => {
      // a copy of exactly these bytes, moved (not cloned) to the worker: a Buffer may be a view of a larger pool
      const copy = new Uint8Array(chunk);
      pw.worker.postMessage({ id, type: 'data', chunk: copy }, [copy.buffer]);
    },
    end: () => pw.worker.postMessage({ id, type: 'end' }),
    abort: () => {
      forget();
      pw.worker.postMessage({ id, type: 'abort' });
    },
  };
}
