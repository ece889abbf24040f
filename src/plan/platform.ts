import { arch } from 'node:os';
import { InvalidArgumentError } from '../util/errors.js';

/** Platform is an OCI platform: os, architecture and an optional variant. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** hostPlatform is the machine's own platform (`linux/amd64`...). */
export function hostPlatform(): Platform {
  const a = ARCH[arch()] ?? arch();
  return a === 'arm64' ? { os: 'linux', architecture: a, variant: 'v8' } : a === 'arm' ? { os: 'linux', architecture: a, variant: 'v7' } : { os: 'linux', architecture: a };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** parsePlatform reads `os/arch[/variant]` (or just `arch`, meaning linux). */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.length === 1) return { os: 'linux', architecture: normArch(parts[0]!) };
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid platform ${JSON.stringify(s)}: want os/arch[/variant]`);
  const p: Platform = { os: parts[0]!, architecture: normArch(parts[1]!) };
  if (parts[2]) p.variant = parts[2];
  return p;
}

function normArch(a: string): string {
  if (a === 'x86_64' || a === 'x86-64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

/** samePlatform compares os and architecture (and variant when both name one). */
export function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && (!a.variant || !b.variant || a.variant === b.variant);
}

/** platformArgs are BuildKit's automatic platform ARGs (global scope; re-declare inside a stage). */
export function platformArgs(target: Platform, build: Platform): Map<string, string> {
  return new Map([
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
  ]);
}

/** PROXY_ARGS are predefined: usable as --build-arg without an ARG line, passed to RUN, never in history. */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** DEFAULT_PATH is the PATH BuildKit gives an image that has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
