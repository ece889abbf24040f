import type { Inefficiency } from './types.js';

/**
 * EfficiencyTally computes the image efficiency score as dive defines it
 * (wagoodman/dive, filetree/efficiency.go), so figures agree with `dive --ci`:
 *
 * - every layer contributes one observation per *leaf* of its own file tree (a path with nothing
 *   under it in that layer: files, links, empty or childless directories, whiteouts);
 * - an observation's size is the entry's size, except for a whiteout, which weighs what it
 *   deletes: the summed sizes of the whole subtree when the lower layers had a directory there,
 *   and 0 when they had a file (dive's rule, kept as is so scores match);
 * - per path, dive keeps the sum of all sizes seen and the smallest one seen;
 *   efficiency = Σ smallest / Σ sum (1 when nothing was seen);
 * - a path observed in two or more layers is an "inefficiency", and wasted bytes are the sum of
 *   their cumulative sizes (the surviving copy included, as dive counts it).
 *
 * Opaque markers (`.wh..wh..opq`) are not observations, as in dive.
 */
export class EfficiencyTally {
  private readonly seen = new Map<string, Inefficiency>();

  /** record adds one observation of `path` ("/a/b") with `size` bytes. */
  record(path: string, size: number): void {
    const entry = this.seen.get(path);
    if (!entry) {
      this.seen.set(path, { path, occurrences: 1, cumulativeBytes: size, minBytes: size });
      return;
    }
    entry.occurrences += 1;
    entry.cumulativeBytes += size;
    if (size < entry.minBytes) entry.minBytes = size;
  }

  /** result gives the score, the wasted bytes, and the inefficient paths, most wasteful first. */
  result(): { efficiency: number; wastedBytes: number; inefficiencies: Inefficiency[] } {
    let minimum = 0;
    let discovered = 0;
    let wastedBytes = 0;
    const inefficiencies: Inefficiency[] = [];
    for (const entry of this.seen.values()) {
      minimum += entry.minBytes;
      discovered += entry.cumulativeBytes;
      if (entry.occurrences >= 2) {
        inefficiencies.push({ ...entry });
        wastedBytes += entry.cumulativeBytes;
      }
    }
    inefficiencies.sort((a, b) => b.cumulativeBytes - a.cumulativeBytes || a.path.localeCompare(b.path));
    return { efficiency: discovered === 0 ? 1 : minimum / discovered, wastedBytes, inefficiencies };
  }
}

/**
 * userWastedPercent is dive's "user wasted percent": wasted bytes over the bytes of every layer
 * but the first (the base), as a fraction. dive divides by zero for a one-layer image; here a
 * one-layer image with no waste scores 0.
 */
export function userWastedPercent(wastedBytes: number, userSizeBytes: number): number {
  if (userSizeBytes === 0) return wastedBytes === 0 ? 0 : Number.POSITIVE_INFINITY;
  return wastedBytes / userSizeBytes;
}
