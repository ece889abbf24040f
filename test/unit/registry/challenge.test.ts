import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../../src/registry/challenge.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge with quoted params, commas inside quotes included', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' } });
  });
  it('reads Basic, unquoted values, escapes and several challenges', () => {
    expect(parseChallenges('Basic realm="a \\"b\\""')).toEqual([{ scheme: 'basic', params: { realm: 'a "b"' } }]);
    const cs = parseChallenges('Basic realm=x, Bearer realm="y", error="insufficient_scope"');
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(cs[1]!.params).toEqual({ realm: 'y', error: 'insufficient_scope' });
  });
  it('gives nothing for a missing header', () => {
    expect(parseChallenges(undefined)).toEqual([]);
  });
});
