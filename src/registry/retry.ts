import { setTimeout as sleep } from 'node:timers/promises';

/** RetryPolicy bounds how often and how long a request is retried. */
export interface RetryPolicy {
  /** retries after the first attempt (so attempts = maxRetries + 1). */
  maxRetries: number;
  /** first delay; it doubles each retry, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

/** isRetryableStatus: 408, 429 and the 5xx a proxy or a busy registry answers. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** errorCode digs the errno-style code out of an error (AggregateError from happy-eyeballs included). */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0]);
  if (e.cause !== undefined) return errorCode(e.cause);
  return undefined;
}

/** isRetryableError: a connection that broke after it was made (not one that was refused). */
export function isRetryableError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/** backoffDelay is the wait before retry n (0-based), honouring a Retry-After in seconds when given. */
export function backoffDelay(policy: RetryPolicy, n: number, retryAfter?: string | string[]): number {
  const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  if (ra !== undefined && /^\d+$/.test(ra)) return Math.min(Number(ra) * 1000, policy.maxDelayMs);
  return Math.min(policy.baseDelayMs * 2 ** n, policy.maxDelayMs);
}

export async function waitBackoff(policy: RetryPolicy, n: number, retryAfter?: string | string[]): Promise<void> {
  await sleep(backoffDelay(policy, n, retryAfter));
}
