import { describe, expect, it } from 'vitest';
import { Authorizer } from '../../../src/registry/authorizer.js';
import { parseChallenges } from '../../../src/registry/challenge.js';
import { resolveEndpoint } from '../../../src/registry/endpoint.js';
import { InsecureRealmError } from '../../../src/registry/errors.js';
import { parseManifestBytes } from '../../../src/registry/manifest-fetch.js';
import { sha256Digest } from '../../../src/image/digest.js';

describe('Authorizer', () => {
  it('refuses a plain-HTTP or private token realm for a secure registry, before sending credentials', async () => {
    for (const realm of ['http://auth.example.com/token', 'https://10.0.0.5/token', 'https://127.0.0.1:5001/token']) {
      const a = new Authorizer(resolveEndpoint('registry.example.com', []), async () => ({ username: 'u', password: 'p' }), undefined, undefined);
      expect(await a.learn(parseChallenges(`Bearer realm="${realm}",service="x"`), [])).toBe(true);
      await expect(a.header([], 'registry.example.com/x')).rejects.toBeInstanceOf(InsecureRealmError);
    }
  });
  it('Basic: answers only with credentials', async () => {
    const anon = new Authorizer(resolveEndpoint('localhost:5000', []), undefined, undefined, undefined);
    expect(await anon.learn(parseChallenges('Basic realm="r"'), [])).toBe(false);
    const a = new Authorizer(resolveEndpoint('localhost:5000', []), async () => ({ username: 'u', password: 'p' }), undefined, undefined);
    expect(await a.learn(parseChallenges('Basic realm="r"'), [])).toBe(true);
    expect(await a.header([], 'x')).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });
});

describe('parseManifestBytes', () => {
  const parse = (doc: unknown, ct = '') => {
    const b = Buffer.from(JSON.stringify(doc));
    return parseManifestBytes(b, sha256Digest(b), ct, 'ref');
  };
  it('tells indexes from manifests, OCI documents without mediaType by shape', () => {
    expect(parse({ schemaVersion: 2, manifests: [] }).kind).toBe('index');
    expect(parse({ schemaVersion: 2, config: { digest: 'x' }, layers: [] }).kind).toBe('manifest');
    expect(parse({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [] }).kind).toBe('index');
  });
  it('refuses schema 1 and unknown types by name', () => {
    expect(() => parse({ schemaVersion: 1, fsLayers: [] }, 'application/vnd.docker.distribution.manifest.v1+prettyjws')).toThrow(/ref: unsupported manifest media type .*schema 1/);
    expect(() => parse({ schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json', blobs: [] })).toThrow('ref: unsupported manifest media type "application/vnd.oci.artifact.manifest.v1+json"');
  });
});
