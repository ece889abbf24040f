import { describe, expect, it } from 'vitest';
import { insecureRegistries, isLoopbackHost, isPrivateHost, resolveEndpoint } from '../../../src/registry/endpoint.js';

describe('resolveEndpoint', () => {
  it('maps Docker Hub to its API host and config key', () => {
    for (const h of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      expect(resolveEndpoint(h, [])).toEqual({ host: 'docker.io', baseUrl: 'https://registry-1.docker.io', insecure: false, configKey: 'https://index.docker.io/v1/' });
    }
  });
  it('uses HTTPS by default and plain HTTP for loopback and listed hosts', () => {
    expect(resolveEndpoint('ghcr.io', []).baseUrl).toBe('https://ghcr.io');
    expect(resolveEndpoint('localhost:5000', []).baseUrl).toBe('http://localhost:5000');
    expect(resolveEndpoint('127.1.2.3:80', []).insecure).toBe(true);
    expect(resolveEndpoint('[::1]:5000', []).insecure).toBe(true);
    expect(resolveEndpoint('reg.lan:5000', ['reg.lan:5000']).baseUrl).toBe('http://reg.lan:5000');
    expect(resolveEndpoint('reg.lan:5000', ['other:5000']).baseUrl).toBe('https://reg.lan:5000');
  });
  it('reads STRATA_INSECURE_REGISTRIES', () => {
    expect(insecureRegistries(['c:1'], { STRATA_INSECURE_REGISTRIES: 'a:5000, b' })).toEqual(['a:5000', 'b', 'c:1']);
  });
  it('classifies loopback and private addresses', () => {
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isPrivateHost('10.1.2.3')).toBe(true);
    expect(isPrivateHost('192.168.1.1:443')).toBe(true);
    expect(isPrivateHost('172.32.0.1')).toBe(false);
    expect(isPrivateHost('auth.docker.io')).toBe(false);
  });
});
