import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/registry/registry-client.js';
import { Authorizer } from '../../src/registry/authorizer.js';
import { parseChallenges } from '../../src/registry/challenge.js';
import { resolveEndpoint } from '../../src/registry/endpoint.js';
import { UnauthorizedError, RegistryUnreachableError } from '../../src/registry/errors.js';
import { freePort, startRegistry, TEST_PASSWORD, TEST_USER, type TestRegistry } from '../helpers/registry-server.js';

const good = async () => ({ username: TEST_USER, password: TEST_PASSWORD });
const bad = async () => ({ username: TEST_USER, password: 'wrong' });

describe('registry auth against a real docker-registry', () => {
  let open: TestRegistry;
  let basic: TestRegistry;
  let token: TestRegistry;
  beforeAll(async () => {
    [open, basic, token] = await Promise.all([startRegistry('none'), startRegistry('basic'), startRegistry('token')]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), basic?.stop(), token?.stop()]);
  });

  it('pings an open registry anonymously over plain HTTP (loopback)', async () => {
    const c = new RegistryClient(open.host);
    expect(c.endpoint.baseUrl).toBe(`http://${open.host}`);
    await c.ping();
    expect(c.auth.scheme).toBeUndefined();
  });

  it('Basic auth: anonymous and wrong passwords get 401, the right one passes', async () => {
    await expect(new RegistryClient(basic.host).ping()).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(new RegistryClient(basic.host, { credentials: bad }).ping()).rejects.toThrow(/unauthorized/);
    const c = new RegistryClient(basic.host, { credentials: good });
    await c.ping();
    expect(c.auth.scheme).toBe('basic');
  });

  it('token auth: follows the Bearer challenge, caches the token per scope', async () => {
    // anonymous tokens carry no access: /v2/ passes, a repository does not
    const anon = new RegistryClient(token.host);
    await anon.ping();
    await expect(anon.request({ method: 'GET', url: '/v2/some/repo/tags/list', scopes: ['repository:some/repo:pull'], subject: 'some/repo' })).rejects.toThrow(/^some\/repo: unauthorized/);
    const lines: string[] = [];
    const c = new RegistryClient(token.host, { credentials: good, debug: (l) => lines.push(l) });
    await c.ping();
    expect(c.auth.scheme).toBe('bearer');
    const before = token.tokensIssued();
    const scopes = ['repository:some/repo:pull'];
    // a missing repo answers 404 after auth succeeds; twice with the same scope costs one token
    for (let i = 0; i < 2; i++) {
      const res = await c.request({ method: 'GET', url: '/v2/some/repo/tags/list', scopes, subject: 'some/repo', accept: [404] });
      expect(res.status).toBe(404);
      await res.body.dump();
    }
    expect(token.tokensIssued() - before).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/Bearer <redacted>/);
    expect(text).toMatch(/Basic <redacted>/);
    expect(text).not.toContain(Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString('base64'));
    expect(text).not.toMatch(/eyJ/); // no JWT leaks into the log
  });

  it('token auth: a token is fetched again once it expires', async () => {
    let now = Date.now();
    const a = new Authorizer(resolveEndpoint(token.host, []), good, undefined, undefined, () => now);
    // the registry's own challenge
    const res = await fetch(`http://${token.host}/v2/`);
    expect(await a.learn(parseChallenges(res.headers.get('www-authenticate') ?? ''), [])).toBe(true);
    const before = token.tokensIssued();
    const scopes = ['repository:a/b:pull'];
    const first = await a.header(scopes, 'a/b');
    expect(await a.header(scopes, 'a/b')).toBe(first);
    expect(token.tokensIssued() - before).toBe(1);
    now += 301_000; // the token service grants 300 s
    await a.header(scopes, 'a/b');
    expect(token.tokensIssued() - before).toBe(2);
    await a.header(['repository:a/b:pull,push'], 'a/b'); // another scope, another token
    expect(token.tokensIssued() - before).toBe(3);
  });

  it('an unreachable registry is a one-line error naming it', async () => {
    const port = await freePort();
    const err = await new RegistryClient(`127.0.0.1:${port}`).ping('127.0.0.1:' + port + '/x:latest').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnreachableError);
    expect((err as Error).message).toMatch(new RegExp(`127.0.0.1:${port}/x:latest: registry unreachable: .*connection refused`));
  });
});
