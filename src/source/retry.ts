/*
 * The one retry wrapper of the source client: exponential backoff with full jitter, a server's
 * Retry-After honoured (capped), a bounded number of attempts. Anything that is not marked
 * retryable fails at once.
 */

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
}

/** An attempt failed in a way worth another try; `retryAfterMs` is the server's own wish. */
export class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableFailure';
  }
}

export interface RetryHooks {
  onRetry?: (failure: RetryableFailure, attempt: number, waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? defaultSleep;
  const random = hooks.random ?? Math.random;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryableFailure) || n >= policy.maxRetries) throw err;
      const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** n) * random();
      const wait = err.retryAfterMs !== undefined ? Math.min(policy.maxMs, Math.max(err.retryAfterMs, backoff)) : backoff;
      hooks.onRetry?.(err, n + 1, wait);
      await sleep(wait);
    }
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
