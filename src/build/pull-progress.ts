import type { TransferListener } from '../registry/transfer-events.js';
import type { ProgressSink } from './progress.js';

const SHOWN = new Set(['Already exists', 'Download complete', 'Pull complete']);

/**
 * pullProgress turns a FROM pull's transfer events into build progress: one `[internal] pull REF`
 * step (BuildKit shows the same as a vertex of its own) whose log lines are Docker's per-layer
 * statuses, so plain output reads `#1 [internal] pull host/busybox:latest`, `#1 0123abcd: Pull complete`.
 */
export function pullProgress(ref: string, sink: ProgressSink | undefined): { listener: TransferListener; done: (digest: string) => void; failed: (err: unknown) => void } {
  const emit = sink ?? (() => undefined);
  const step = `pull/${ref}`;
  const name = `[internal] pull ${ref}`;
  const t0 = Date.now();
  emit({ type: 'step', status: 'started', time: t0, step, name });
  const last = new Map<string, string>();
  return {
    listener: (e) => {
      if (!SHOWN.has(e.status) || last.get(e.id) === e.status) return;
      last.set(e.id, e.status);
      emit({ type: 'step', status: 'log', time: Date.now(), step, name, text: `${e.id}: ${e.status}` });
    },
    done: (digest) => {
      // BuildKit's `resolve docker.io/library/x:tag@sha256:...`: which manifest the build used
      emit({ type: 'step', status: 'log', time: Date.now(), step, name, text: `resolved ${ref}@${digest}` });
      emit({ type: 'step', status: 'done', time: Date.now(), step, name, durationMs: Date.now() - t0 });
    },
    failed: (err) => emit({ type: 'step', status: 'error', time: Date.now(), step, name, durationMs: Date.now() - t0, error: err instanceof Error ? err.message : String(err) }),
  };
}
