import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/image/oci.js';
import { formatPlatform, parsePlatform, selectManifest } from '../../../src/registry/platform.js';

const d = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture.padEnd(64, '0').slice(0, 64).replace(/[^a-f0-9]/g, 'a')}` as Descriptor['digest'],
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

describe('platform selection', () => {
  const list = [d('unknown', undefined, 'unknown'), d('arm', 'v6'), d('arm', 'v7'), d('arm64', 'v8'), d('amd64'), d('amd64', undefined, 'windows')];
  it('parses and prints os/arch[/variant]', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(formatPlatform(parsePlatform('Linux/AMD64'))).toBe('linux/amd64');
    expect(() => parsePlatform('linux')).toThrow(/invalid platform "linux": want os\/arch/);
  });
  it('matches os and architecture, and the variant when given (arm64 means v8)', () => {
    expect(selectManifest(list, { os: 'linux', architecture: 'amd64' })?.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(selectManifest(list, { os: 'windows', architecture: 'amd64' })?.platform?.os).toBe('windows');
    expect(selectManifest(list, { os: 'linux', architecture: 'arm64' })?.platform?.variant).toBe('v8');
    expect(selectManifest(list, { os: 'linux', architecture: 'arm', variant: 'v6' })?.platform?.variant).toBe('v6');
    expect(selectManifest(list, { os: 'linux', architecture: 'arm' })?.platform?.variant).toBe('v7');
    expect(selectManifest(list, { os: 'linux', architecture: 'arm', variant: 'v5' })).toBeUndefined();
    expect(selectManifest(list, { os: 'linux', architecture: 's390x' })).toBeUndefined();
  });
});
