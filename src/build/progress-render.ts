import type { Writable } from 'node:stream';
import type { ProgressEvent, ProgressSink } from './progress.js';

/** ProgressMode is `--progress`: auto picks tty on a terminal and plain otherwise. */
export type ProgressMode = 'auto' | 'tty' | 'plain' | 'rawjson' | 'quiet';

/** Renderer consumes events and draws them; `close` finishes the drawing. */
export interface Renderer {
  sink: ProgressSink;
  close(): void;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** summaryLine is the closing line: steps, cached steps, seconds and the image ID. */
export function summaryLine(e: Extract<ProgressEvent, { type: 'build'; status: 'done' }>): string {
  return `=> built ${e.steps} steps (${e.cached} cached) in ${secs(e.durationMs)}, image ${e.imageId}`;
}

/** missLines lists each rebuilt step with the cause of its miss, for the closing summary. */
export function missLines(misses: Map<string, string>): string[] {
  return [...misses].map(([name, reason]) => `   rebuilt ${name}: ${reason}`);
}

/** plainRenderer writes BuildKit-style plain lines: `#3 [2/4] COPY . /app`, `#3 CACHED`, `#3 DONE 0.2s`. */
export function plainRenderer(out: Writable): Renderer {
  const numbers = new Map<string, number>();
  const num = (step: string): number => {
    let n = numbers.get(step);
    if (n === undefined) numbers.set(step, (n = numbers.size + 1));
    return n;
  };
  const misses = new Map<string, string>();
  return {
    sink(e) {
      if (e.type === 'build') {
        if (e.status === 'done') out.write(`${[summaryLine(e), ...missLines(misses)].join('\n')}\n`);
        return;
      }
      if (e.status === 'done' && e.reason) misses.set(e.name, e.reason);
      const n = num(e.step);
      switch (e.status) {
        case 'started':
          out.write(`#${n} ${e.name}\n`);
          break;
        case 'cached':
          out.write(`#${n} ${e.name}\n#${n} CACHED\n`);
          break;
        case 'log':
          out.write(`#${n} ${e.text}\n`);
          break;
        case 'done':
          out.write(`#${n} DONE ${secs(e.durationMs)}${e.reason ? `: ${e.reason}` : ''}\n`);
          break;
        case 'error':
          out.write(`#${n} ERROR: ${e.error}\n`);
          break;
      }
    },
    close() {},
  };
}

/** rawjsonRenderer writes one JSON object per event per line. */
export function rawjsonRenderer(out: Writable): Renderer {
  return { sink: (e) => void out.write(`${JSON.stringify(e)}\n`), close() {} };
}

/**
 * ttyRenderer keeps a live view: one line per step with its state and a running time, redrawn in
 * place on each event and every 100 ms while a step runs; the last lines of a step's output show
 * under it while it runs.
 */
export function ttyRenderer(out: Writable & { columns?: number }): Renderer {
  interface Line {
    name: string;
    state: 'running' | 'cached' | 'done' | 'error';
    start: number;
    ms?: number;
    reason?: string;
    logs: string[];
  }
  const lines = new Map<string, Line>();
  let drawn = 0;
  let summary = '';
  const render = (): void => {
    const width = Math.max(40, (out.columns ?? 100) - 1);
    const rows: string[] = [];
    for (const l of lines.values()) {
      const t = l.state === 'cached' ? 'CACHED' : l.state === 'error' ? 'ERROR' : secs(l.ms ?? Date.now() - l.start);
      const mark = l.state === 'running' ? '=>' : l.state === 'error' ? '!!' : '=>';
      const text = `${mark} ${l.name}${l.reason ? `  (${l.reason})` : ''}`;
      rows.push(`${text.slice(0, width - t.length - 1).padEnd(width - t.length - 1)} ${t}`);
      if (l.state === 'running') for (const log of l.logs.slice(-5)) rows.push(`   ${log}`.slice(0, width));
    }
    if (summary) rows.push(summary, ...missLines(new Map([...lines.values()].flatMap((l) => (l.reason ? [[l.name, l.reason] as [string, string]] : [])))));
    let s = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    s += rows.map((r) => `${r}\n`).join('');
    out.write(s);
    drawn = rows.length;
  };
  const timer = setInterval(() => {
    if ([...lines.values()].some((l) => l.state === 'running')) render();
  }, 100);
  timer.unref();
  return {
    sink(e) {
      if (e.type === 'build') {
        if (e.status === 'done') summary = summaryLine(e);
        render();
        return;
      }
      let l = lines.get(e.step);
      if (!l) lines.set(e.step, (l = { name: e.name, state: 'running', start: e.time, logs: [] }));
      if (e.status === 'cached') l.state = 'cached';
      else if (e.status === 'done') ((l.state = 'done'), (l.ms = e.durationMs), e.reason && (l.reason = e.reason));
      else if (e.status === 'error') ((l.state = 'error'), (l.ms = e.durationMs));
      else if (e.status === 'log') l.logs.push(e.text);
      render();
    },
    close() {
      clearInterval(timer);
    },
  };
}

/** makeRenderer picks the renderer for a --progress mode. */
export function makeRenderer(mode: ProgressMode, out: Writable & { isTTY?: boolean }): Renderer {
  if (mode === 'quiet') return { sink: () => undefined, close() {} };
  if (mode === 'rawjson') return rawjsonRenderer(out);
  if (mode === 'tty' || (mode === 'auto' && out.isTTY)) return ttyRenderer(out);
  return plainRenderer(out);
}
