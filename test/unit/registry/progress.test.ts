import { describe, expect, it } from 'vitest';
import { LiveProgress, humanSize, plainProgress } from '../../../src/registry/progress-view.js';
import { mapLimit } from '../../../src/registry/limit.js';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus } from '../../../src/registry/retry.js';
import { redactHeaders, redactUrl } from '../../../src/registry/http-log.js';

describe('progress output', () => {
  it('plain output prints Docker\'s status lines once each, without byte ticks', () => {
    const out: string[] = [];
    const l = plainProgress((s) => out.push(s));
    l({ type: 'layer', id: 'abc', status: 'Pulling fs layer' });
    l({ type: 'layer', id: 'abc', status: 'Downloading', current: 1, total: 2 });
    l({ type: 'layer', id: 'abc', status: 'Download complete' });
    l({ type: 'layer', id: 'abc', status: 'Download complete' });
    l({ type: 'layer', id: 'def', status: 'Mounted from', from: 'library/busybox' });
    expect(out.join('')).toBe('abc: Pulling fs layer\nabc: Download complete\ndef: Mounted from library/busybox\n');
  });
  it('the live view redraws one line per layer in place, with a bar', () => {
    let t = 0;
    const out: string[] = [];
    const live = new LiveProgress((s) => out.push(s), () => t);
    live.listener({ type: 'layer', id: 'a', status: 'Pulling fs layer' });
    live.listener({ type: 'layer', id: 'b', status: 'Pulling fs layer' });
    t = 1000;
    live.listener({ type: 'layer', id: 'a', status: 'Downloading', current: 500_000, total: 1_000_000 });
    const last = out.at(-1)!;
    expect(last.startsWith('\x1b[2A')).toBe(true);
    expect(last).toContain('a: Downloading [========================>                         ]  500kB/1.00MB');
    expect(last).toContain('\x1b[2Kb: Pulling fs layer\n');
    live.listener({ type: 'layer', id: 'a', status: 'Downloading', current: 600_000, total: 1_000_000 });
    expect(out).toHaveLength(3); // rate-limited tick
    live.finish();
    expect(out.at(-1)).toContain('600kB/1.00MB');
    expect(humanSize(999)).toBe('999B');
  });
});

describe('helpers', () => {
  it('mapLimit keeps order and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const r = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((res) => setImmediate(res));
      running--;
      return n * 2;
    });
    expect(r).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
    await expect(mapLimit([1, 2], 2, async (n) => { if (n === 2) throw new Error('boom'); return n; })).rejects.toThrow('boom');
  });
  it('backs off exponentially, bounded, honouring Retry-After', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(DEFAULT_RETRY, n))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelay(DEFAULT_RETRY, 20)).toBe(DEFAULT_RETRY.maxDelayMs);
    expect(backoffDelay(DEFAULT_RETRY, 0, '2')).toBe(2000);
    expect([429, 503, 500, 404, 401].map(isRetryableStatus)).toEqual([true, true, true, false, false]);
  });
  it('redacts credentials from headers and URLs', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc.def', accept: 'x' })).toEqual({ Authorization: 'Bearer <redacted>', accept: 'x' });
    expect(redactHeaders({ cookie: 'session=1' })).toEqual({ cookie: '<redacted>' });
    expect(redactUrl('https://u:p@h/x?access_token=t&n=1')).toBe('https://redacted@h/x?access_token=%3Credacted%3E&n=1');
  });
});
