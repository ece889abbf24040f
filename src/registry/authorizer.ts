import { request, type Dispatcher } from 'undici';
import type { Challenge } from './challenge.js';
import type { Credentials, CredentialSource } from './credentials.js';
import type { Endpoint } from './endpoint.js';
import { isPrivateHost } from './endpoint.js';
import { InsecureRealmError, RegistryHttpError, UnauthorizedError, RegistryUnreachableError } from './errors.js';
import { logRequest, logResponse, type DebugLog } from './http-log.js';

interface CachedToken {
  token: string;
  /** ms since epoch after which the token is fetched again. */
  expiresAt: number;
}

/**
 * Authorizer turns what the registry asked for (its last WWW-Authenticate challenge) into an
 * Authorization header for a request needing a given scope. Bearer tokens are cached per scope set
 * and fetched again when they expire or the registry rejects them. One Authorizer serves one
 * registry host; credentials are looked up once, lazily.
 */
export class Authorizer {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private creds: Promise<Credentials | undefined> | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly source: CredentialSource | undefined,
    private readonly log: DebugLog | undefined,
    private readonly dispatcher: Dispatcher | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** hasChallenge: the registry has asked for authentication at least once. */
  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  private credentials(): Promise<Credentials | undefined> {
    this.creds ??= this.source ? this.source(this.endpoint.host) : Promise.resolve(undefined);
    return this.creds;
  }

  /** setCredentials overrides the configured source (login checks credentials before storing them). */
  setCredentials(creds: Credentials | undefined): void {
    this.creds = Promise.resolve(creds);
    this.tokens.clear();
  }

  /**
   * learn records a 401's challenge. Returns false when it gives nothing new to try (no
   * challenge, or Basic without credentials), so the caller stops and reports 401.
   */
  async learn(challenges: Challenge[], scopes: readonly string[]): Promise<boolean> {
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!chosen) return false;
    this.tokens.delete(scopeKey(scopes));
    this.challenge = chosen;
    if (chosen.scheme === 'basic') return (await this.credentials()) !== undefined;
    return true;
  }

  /** header returns the Authorization header value for a request needing scopes, or undefined. */
  async header(scopes: readonly string[], subject: string): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials();
    if (ch.scheme === 'basic') {
      if (!creds || creds.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (ch.scheme !== 'bearer') return undefined;
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(ch, scopes, creds, subject);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private checkRealm(realm: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryHttpError(this.endpoint.host, 401, `token realm ${JSON.stringify(realm)} is not a URL`);
    }
    // A secure registry must not send us (with the user's password) to plain HTTP or into the LAN.
    if (!this.endpoint.insecure && (url.protocol !== 'https:' || isPrivateHost(url.host))) throw new InsecureRealmError(this.endpoint.host, realm);
    return url;
  }

  private async fetchToken(ch: Challenge, scopes: readonly string[], creds: Credentials | undefined, subject: string): Promise<CachedToken> {
    const realm = this.checkRealm(ch.params.realm ?? '');
    const headers: Record<string, string> = { 'user-agent': 'strata' };
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    const url = new URL(realm);
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant, as docker does with an identity token.
      method = 'POST';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'strata' });
      if (ch.params.service) form.set('service', ch.params.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (ch.params.service) url.searchParams.set('service', ch.params.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds && creds.password !== undefined) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    logRequest(this.log, method, url.toString(), headers);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method, headers, body, dispatcher: this.dispatcher });
    } catch (err) {
      throw new RegistryUnreachableError(subject, `token service ${url.host}: ${(err as Error).message}`, { cause: err });
    }
    logResponse(this.log, method, url.toString(), res.statusCode, res.headers);
    if (res.statusCode === 401 || res.statusCode === 403) {
      await res.body.dump();
      throw new UnauthorizedError(subject, res.statusCode, creds ? 'token service rejected the credentials' : 'token service requires credentials');
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new RegistryHttpError(subject, res.statusCode, `token service ${url.host}`);
    }
    const json = (await res.body.json()) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new RegistryHttpError(subject, 200, 'token service returned no token');
    // Docker's default lifetime is 60 s; refresh a little early.
    const lifetime = (json.expires_in && json.expires_in > 0 ? json.expires_in : 60) * 1000;
    const issued = json.issued_at ? Date.parse(json.issued_at) : NaN;
    const start = Number.isFinite(issued) ? Math.min(issued, this.now()) : this.now();
    return { token, expiresAt: start + lifetime - Math.min(10_000, lifetime / 4) };
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}
