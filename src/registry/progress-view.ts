import type { LayerEvent, LayerStatus, TransferListener } from './transfer-events.js';

/** Statuses Docker prints on a non-terminal: progress ticks (Downloading, Pushing) are left out. */
const PLAIN_STATUSES = new Set<LayerStatus>([
  'Pulling fs layer', 'Waiting', 'Already exists', 'Verifying Checksum', 'Download complete', 'Pull complete',
  'Preparing', 'Pushed', 'Layer already exists', 'Mounted from',
]);

function statusText(e: LayerEvent): string {
  return e.status === 'Mounted from' ? `Mounted from ${e.from ?? ''}` : e.status;
}

/** plainProgress writes Docker's per-layer lines (`<id>: Pull complete`), one per status change. */
export function plainProgress(write: (line: string) => void): TransferListener {
  const last = new Map<string, string>();
  return (e) => {
    if (!PLAIN_STATUSES.has(e.status)) return;
    const text = statusText(e);
    if (last.get(e.id) === text) return;
    last.set(e.id, text);
    write(`${e.id}: ${text}\n`);
  };
}

export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[i]}`;
}

function bar(current: number, total: number, width = 50): string {
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
}

/**
 * LiveProgress keeps one line per layer on a terminal and redraws them in place (cursor up, clear
 * line), with a progress bar while bytes move. Redraws of progress ticks are limited to ~10 a second.
 */
export class LiveProgress {
  private readonly order: string[] = [];
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(private readonly write: (s: string) => void, private readonly now: () => number = Date.now) {}

  readonly listener: TransferListener = (e) => {
    if (!this.lines.has(e.id)) this.order.push(e.id);
    const moving = (e.status === 'Downloading' || e.status === 'Pushing') && e.total !== undefined && e.current !== undefined;
    this.lines.set(e.id, moving ? `${e.id}: ${e.status} ${bar(e.current!, e.total!)}  ${humanSize(e.current!)}/${humanSize(e.total!)}` : `${e.id}: ${statusText(e)}`);
    if (moving && this.now() - this.lastDraw < 100) return;
    this.draw();
  };

  private draw(): void {
    this.lastDraw = this.now();
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const id of this.order) out += `\x1b[2K${this.lines.get(id)}\n`;
    this.drawn = this.order.length;
    this.write(out);
  }

  /** finish draws the final state (so the last tick is not lost to the rate limit). */
  finish(): void {
    if (this.order.length) this.draw();
  }
}
