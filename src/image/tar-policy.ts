import { posix } from 'node:path';
import type { Header } from 'tar-stream';
import { ArchiveError } from './errors.js';

/** TarPolicy says which entries a tar may hold. */
export interface TarPolicy {
  /** allowDevices: char/block devices (refused in a rootless store, which could not create them). */
  allowDevices: boolean;
  /** absoluteSymlinks: `/bin/sh -> /bin/busybox` is normal in a root filesystem (resolved inside it). */
  absoluteSymlinks: boolean;
}

/**
 * safeEntryName normalises a tar entry name (drops `./`, trailing `/`) and refuses names that are
 * absolute or climb out of the root with `..`. The result is relative and never empty except for
 * the root itself (".").
 */
export function safeEntryName(name: string, entry = name): string {
  if (name.startsWith('/')) throw new ArchiveError('absolute path in archive', entry);
  if (name.includes('\0')) throw new ArchiveError('NUL byte in entry name', entry);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ArchiveError('path escapes the root ("..")', entry);
  return parts.length ? parts.join('/') : '.';
}

/** checkTarEntry refuses an entry that would escape the root or that the policy forbids. */
export function checkTarEntry(h: Pick<Header, 'name' | 'type' | 'linkname'>, policy: TarPolicy): void {
  const name = safeEntryName(h.name);
  switch (h.type) {
    case 'link':
      safeEntryName(h.linkname ?? '', `${h.name} (hard link to ${h.linkname})`);
      return;
    case 'symlink': {
      const target = h.linkname ?? '';
      if (target.startsWith('/')) {
        if (!policy.absoluteSymlinks) throw new ArchiveError(`symlink to an absolute path ${target}`, h.name);
        return;
      }
      const resolved = posix.normalize(posix.join(posix.dirname(name), target));
      if (resolved === '..' || resolved.startsWith('../')) throw new ArchiveError(`symlink points outside the root (${target})`, h.name);
      return;
    }
    case 'character-device':
    case 'block-device':
      if (!policy.allowDevices) throw new ArchiveError('device file in a rootless store', h.name);
      return;
    default:
      return;
  }
}
