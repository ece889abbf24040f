import type { Descriptor, Platform } from '../image/oci.js';
import { InvalidArgumentError } from '../util/errors.js';

/** PlatformSpec is a wanted platform: os/architecture[/variant]. */
export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** hostPlatform is the platform of this machine (linux/amd64 on x86-64). */
export function hostPlatform(): PlatformSpec {
  return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };
}

/** parsePlatform reads `os/arch[/variant]` (as `--platform` takes it). */
export function parsePlatform(s: string): PlatformSpec {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/.test(p))) {
    throw new InvalidArgumentError(`invalid platform ${JSON.stringify(s)}: want os/arch[/variant], e.g. linux/amd64`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: PlatformSpec | Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function defaultVariant(arch: string): string | undefined {
  return arch === 'arm64' ? 'v8' : arch === 'arm' ? 'v7' : undefined;
}

/**
 * selectManifest picks the index entry for a platform: os and architecture must match; the
 * variant must match when asked for (arm64 treats a missing variant as v8). Attestation
 * manifests (platform unknown/unknown) never match.
 */
export function selectManifest(manifests: readonly Descriptor[], want: PlatformSpec): Descriptor | undefined {
  const wantVariant = want.variant ?? defaultVariant(want.architecture);
  const candidates = manifests.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture);
  return (
    candidates.find((m) => (m.platform!.variant ?? defaultVariant(want.architecture)) === wantVariant) ??
    (want.variant ? undefined : candidates[0])
  );
}
