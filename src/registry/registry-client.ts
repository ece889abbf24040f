import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { defaultDispatcher } from './dispatcher.js';
import { Authorizer } from './authorizer.js';
import { parseChallenges } from './challenge.js';
import type { CredentialSource } from './credentials.js';
import { insecureRegistries, resolveEndpoint, type Endpoint } from './endpoint.js';
import { RegistryHttpError, RegistryUnreachableError, UnauthorizedError } from './errors.js';
import { logRequest, logResponse, type DebugLog } from './http-log.js';
import { DEFAULT_RETRY, errorCode, isRetryableError, isRetryableStatus, waitBackoff, type RetryPolicy } from './retry.js';

/** RegistryClientOptions configure every client made for one command. */
export interface RegistryClientOptions {
  /** where credentials come from (default: anonymous). */
  credentials?: CredentialSource;
  /** hosts to reach over plain HTTP besides loopback ones (`--insecure-registry`); STRATA_INSECURE_REGISTRIES is added. */
  insecureRegistries?: readonly string[];
  /** receives the HTTP exchanges, credentials redacted (`--debug`). */
  debug?: DebugLog;
  retry?: RetryPolicy;
  /**
   * longest silence inside a response body before the connection counts as broken (a blob
   * download then resumes). Default 60 s; undici's own default of 300 s would hang a pull on a
   * stalled server for five minutes per attempt.
   */
  bodyTimeoutMs?: number;
  dispatcher?: Dispatcher;
}

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** RegistryRequest is one call to the distribution API. */
export interface RegistryRequest {
  method: HttpMethod;
  /** a path under the host (`/v2/<name>/manifests/<ref>`) or an absolute URL (upload locations). */
  url: string;
  /** token scopes the call needs, e.g. `repository:library/busybox:pull`. */
  scopes: readonly string[];
  /** what errors name: the reference or repository the user asked about. */
  subject: string;
  headers?: Record<string, string>;
  /** makes the body; called again for a retry, so a stream body is made afresh. Undefined: no body. */
  body?: () => Readable | Buffer | string;
  /** statuses the caller handles itself (no error thrown, no retry); 2xx are always returned. */
  accept?: readonly number[];
  /** false: retrying is unsafe (e.g. a PATCH whose stream cannot be replayed). Default true. */
  retry?: boolean;
}

export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
  /** the URL that answered, after redirects (relative Locations resolve against it). */
  url: string;
}

const MAX_REDIRECTS = 5;
const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * RegistryClient talks to one registry host: it picks the scheme, authenticates as the registry
 * asks (anonymous, Basic, Bearer tokens per scope), retries 429/5xx and broken connections with
 * bounded backoff, follows redirects (dropping credentials when the origin changes, as blob
 * storage redirects do) and turns failures into one-line RegistryErrors naming the subject.
 */
export class RegistryClient {
  readonly endpoint: Endpoint;
  readonly auth: Authorizer;
  private readonly retryPolicy: RetryPolicy;

  private readonly dispatcher: Dispatcher | undefined;

  constructor(host: string, private readonly options: RegistryClientOptions = {}) {
    this.endpoint = resolveEndpoint(host, insecureRegistries(options.insecureRegistries ?? []));
    this.dispatcher = options.dispatcher ?? defaultDispatcher();
    this.auth = new Authorizer(this.endpoint, options.credentials, options.debug, this.dispatcher);
    this.retryPolicy = options.retry ?? DEFAULT_RETRY;
  }

  get host(): string {
    return this.endpoint.host;
  }

  /** ping checks `/v2/`, authenticating if the registry asks; throws when it cannot be used. */
  async ping(subject = this.endpoint.host): Promise<void> {
    const res = await this.request({ method: 'GET', url: '/v2/', scopes: [], subject });
    await res.body.dump();
  }

  /** request sends one API call and returns a 2xx (or accepted) response; the caller consumes its body. */
  async request(req: RegistryRequest): Promise<RegistryResponse> {
    let url = new URL(req.url, `${this.endpoint.baseUrl}/`).toString();
    const origin = new URL(this.endpoint.baseUrl).origin;
    let authRetried = false;
    let retries = 0;
    let redirects = 0;
    const canRetry = req.retry !== false;
    for (;;) {
      const sameOrigin = new URL(url).origin === origin;
      const headers: Record<string, string> = { 'user-agent': 'strata/0.1', ...req.headers };
      if (sameOrigin) {
        const authz = await this.auth.header(req.scopes, req.subject);
        if (authz) headers.authorization = authz;
      }
      logRequest(this.options.debug, req.method, url, headers);
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: req.method, headers, body: req.body?.(), dispatcher: this.dispatcher, bodyTimeout: this.options.bodyTimeoutMs ?? 60_000 });
      } catch (err) {
        const code = errorCode(err);
        this.options.debug?.(`! ${req.method} ${url}: ${code ?? (err as Error).message}`);
        if (canRetry && isRetryableError(err) && retries < this.retryPolicy.maxRetries) {
          await waitBackoff(this.retryPolicy, retries++);
          continue;
        }
        throw new RegistryUnreachableError(req.subject, describeNetworkError(this.endpoint, err), { cause: err });
      }
      logResponse(this.options.debug, req.method, url, res.statusCode, res.headers);
      const status = res.statusCode;
      if ((status >= 200 && status < 300) || req.accept?.includes(status)) return { status, headers: res.headers, body: res.body, url };

      if (status === 401 && sameOrigin && !authRetried) {
        authRetried = true;
        await res.body.dump();
        if (await this.auth.learn(parseChallenges(res.headers['www-authenticate']), req.scopes)) continue;
        throw new UnauthorizedError(req.subject, 401, '');
      }
      if ((status === 301 || status === 302 || status === 303 || status === 307 || status === 308) && res.headers.location) {
        await res.body.dump();
        if (redirects++ >= MAX_REDIRECTS) throw new RegistryHttpError(req.subject, status, 'too many redirects');
        url = new URL(String(res.headers.location), url).toString();
        continue;
      }
      if (canRetry && isRetryableStatus(status) && retries < this.retryPolicy.maxRetries) {
        await res.body.dump();
        await waitBackoff(this.retryPolicy, retries++, res.headers['retry-after']);
        continue;
      }
      const detail = await errorDetail(res);
      if (status === 401 || status === 403) throw new UnauthorizedError(req.subject, status, detail);
      throw new RegistryHttpError(req.subject, status, detail);
    }
  }
}

function describeNetworkError(endpoint: Endpoint, err: unknown): string {
  const code = errorCode(err);
  if (code !== undefined && REFUSED.has(code)) return `${endpoint.baseUrl}: ${code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : code}`;
  if (code && /CERT|SSL|TLS/i.test(code)) return `${endpoint.baseUrl}: TLS error ${code} (use --insecure-registry for a plain-HTTP registry)`;
  if (code === 'EPROTO' || /wrong version number/i.test((err as Error).message ?? '')) return `${endpoint.baseUrl}: TLS handshake failed (is it a plain-HTTP registry? use --insecure-registry)`;
  return `${endpoint.baseUrl}: ${code ?? (err as Error).message}`;
}

/** errorDetail reads the registry's `{"errors":[{code,message}]}` body into a short text. */
async function errorDetail(res: Dispatcher.ResponseData): Promise<string> {
  let text = '';
  try {
    text = await res.body.text();
  } catch {
    return '';
  }
  try {
    const json = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = json.errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(': ');
  } catch {
    /* not JSON */
  }
  return text.split('\n')[0]!.slice(0, 200);
}
