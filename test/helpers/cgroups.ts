import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Tests find the cpu cgroup hierarchy on their own, not through runners/common/run-cgroup.ts, so that a
// mistake there cannot hide itself.

/** cpuMount: where the hierarchy holding the cpu controller is mounted (v1's cpu, else v2), or undefined. */
export function cpuMount(): { mount: string; v2: boolean } | undefined {
  let v2: string | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const [fstype, , opts = ''] = post.split(' ');
    const at = pre.split(' ')[4]!;
    if (fstype === 'cgroup' && opts.split(',').includes('cpu')) return { mount: at, v2: false };
    if (fstype === 'cgroup2') v2 ??= at;
  }
  return v2 !== undefined && readFileSync(join(v2, 'cgroup.controllers'), 'utf8').includes('cpu') ? { mount: v2, v2: true } : undefined;
}

/** cpuCgroupOf reads the cpu hierarchy's path out of a `/proc/<pid>/cgroup` text. */
export function cpuCgroupOf(text: string, v2: boolean): string | undefined {
  for (const line of text.trim().split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (v2 ? controllers === '' : controllers?.split(',').includes('cpu')) return path;
  }
  return undefined;
}
