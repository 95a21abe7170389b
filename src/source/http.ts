import { Agent, request, errors as undiciErrors } from 'undici';
import PQueue from 'p-queue';
import { SourceError, SourceFormatError } from '../errors';
import { setTimeout as delay } from 'node:timers/promises';
import { RetryableFailure, parseRetryAfter, withRetry, type RetryPolicy } from './retry';
import { canonicalInstant, shiftInstant } from './instant';

export interface HttpOptions extends RetryPolicy {
  /** `{AKINON_URL}/api/v1/remote/{channel}/data-warehouse/` — every request is built from it. */
  baseUrl: string;
  token: string;
  timeoutMs: number;
  /** Requests per second (0 = no cap). */
  rateLimit: number;
  concurrency: number;
}

export interface Page {
  count: number;
  /** Only whether there is a next page matters: its URL may name another host or path. */
  hasNext: boolean;
  results: unknown[];
}

export interface SourceStats {
  requests: number;
  retries: number;
  byStatus: Record<string, number>;
}

export type RequestListener = (event: { path: string; status: string; retry: boolean }) => void;
/** A request about to be tried again: why (`500`, `429`, `network`, `body`, `malformed`, …), which attempt comes next, after how long. */
export type RetryListener = (event: { path: string; reason: string; attempt: number; waitMs: number }) => void;

/**
 * GET-only client of the Data Warehouse API: token auth, a rate and concurrency cap shared by all
 * streams, timeouts, retries. It also keeps the source's clock (the HTTP Date header), which sync
 * windows are cut by.
 */
export class DwhHttp {
  readonly stats: SourceStats = { requests: 0, retries: 0, byStatus: {} };
  private readonly agent: Agent;
  private readonly queue: PQueue;
  private readonly base: URL;
  private lastDate: { server: string; localMs: number } | null = null;
  private readonly listeners: RequestListener[] = [];
  private readonly retryListeners: RetryListener[] = [];
  private shutdown: AbortSignal | undefined;

  constructor(private readonly opts: HttpOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.agent = new Agent({
      connections: opts.concurrency,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
    });
    this.queue =
      opts.rateLimit > 0
        ? new PQueue({ concurrency: opts.concurrency, intervalCap: 1, interval: Math.max(1, Math.round(1000 / opts.rateLimit)) })
        : new PQueue({ concurrency: opts.concurrency });
  }

  onRequest(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  onRetry(listener: RetryListener): void {
    this.retryListeners.push(listener);
  }

  /** One page of `path` (relative to the base, e.g. `products/products`) with these filters. */
  async getPage(path: string, params: Record<string, string | number>): Promise<Page> {
    const url = new URL(`${path.replace(/^\/+|\/+$/g, '')}/`, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const where = `${url.pathname}${url.search}`;
    try {
      return await withRetry((n) => this.queue.add<Page>(() => this.attempt(url, where, n > 0)), this.opts, {
        onRetry: (failure, attempt, waitMs) => {
          this.stats.retries++;
          // The path without its query string: filters are not secrets, but they are noise.
          for (const l of this.retryListeners) l({ path: url.pathname, reason: failure.reason, attempt, waitMs: Math.round(waitMs) });
        },
        // Not unref'd: a retry wait may be the only thing a run is doing, and the process must not
        // end under it (it would exit 0 with the run half done). Shutdown aborts the wait instead.
        sleep: (ms) =>
          delay(ms, undefined, { signal: this.shutdown }).catch((err: unknown) => {
            throw (err as Error).name === 'AbortError' ? new SourceError('retry wait stopped by shutdown') : err;
          }),
      });
    } catch (err) {
      if (!(err instanceof RetryableFailure)) throw err;
      // Out of retries: a coded failure like any other source error.
      const status = /^\d{3}$/.test(err.reason) ? Number(err.reason) : undefined;
      throw new SourceError(`${err.message} (gave up after ${this.opts.maxRetries} retries)`, status, { cause: err });
    }
  }

  /** Aborts requests in flight and retry waits (graceful shutdown): they fail with an AbortError. */
  setShutdownSignal(signal: AbortSignal): void {
    this.shutdown = signal;
  }

  /**
   * The source's current time: the newest Date header seen, advanced by the local time elapsed
   * since it arrived. Null before the first response.
   */
  clock(): string | null {
    if (!this.lastDate) return null;
    return shiftInstant(this.lastDate.server, Date.now() - this.lastDate.localMs);
  }

  async close(): Promise<void> {
    await this.queue.onIdle();
    await this.agent.close();
  }

  private count(path: string, status: string, retry: boolean) {
    this.stats.requests++;
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    for (const l of this.listeners) l({ path, status, retry });
  }

  private async attempt(url: URL, where: string, retry: boolean): Promise<Page> {
    let res;
    try {
      res = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        headers: { authorization: `Token ${this.opts.token}`, accept: 'application/json' },
        signal: this.shutdown ? AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs * 2), this.shutdown]) : AbortSignal.timeout(this.opts.timeoutMs * 2),
      });
    } catch (err) {
      if (this.shutdown?.aborted) throw new SourceError(`GET ${where} stopped by shutdown`, undefined, { cause: err });
      this.count(where, 'error', retry);
      throw new RetryableFailure(`GET ${where} on ${url.host} failed: ${describeNetworkError(err)}`, 'network', undefined, { cause: err });
    }
    const status = res.statusCode;
    this.count(where, String(status), retry);
    const dateHeader = res.headers.date;
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw new RetryableFailure(`GET ${where}: body not received: ${describeNetworkError(err)}`, 'body', undefined, { cause: err });
    }
    if (status === 429 || status >= 500) {
      throw new RetryableFailure(`GET ${where} answered ${status}`, String(status), parseRetryAfter(res.headers['retry-after']));
    }
    if (status !== 200) {
      const hint =
        status === 401 || status === 403
          ? ' (check AKINON_TOKEN and AKINON_CHANNEL_ID)'
          : status === 404
            ? ' (check AKINON_URL and AKINON_CHANNEL_ID: the channel may not exist or expose the Data Warehouse API)'
            : '';
      throw new SourceError(`GET ${where} answered ${status}${hint}`, status);
    }
    this.noteDate(dateHeader);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // A truncated or garbled body is a transport fault far more often than a real answer.
      throw new RetryableFailure(`GET ${where}: body is not valid JSON (${text.length} bytes)`, 'malformed');
    }
    return toPage(body, where);
  }

  private noteDate(header: string | string[] | undefined) {
    const text = Array.isArray(header) ? header[0] : header;
    if (!text) return;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return;
    const server = canonicalInstant(new Date(ms).toISOString());
    if (server) this.lastDate = { server, localMs: Date.now() };
  }
}

function toPage(body: unknown, where: string): Page {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { results?: unknown }).results)) {
    throw new SourceFormatError(`GET ${where}: expected {count, next, previous, results}`);
  }
  const b = body as { count?: unknown; next?: unknown; results: unknown[] };
  return {
    count: typeof b.count === 'number' ? b.count : b.results.length,
    hasNext: typeof b.next === 'string' && b.next.length > 0,
    results: b.results,
  };
}

function describeNetworkError(err: unknown): string {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) return 'timed out';
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out';
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  // An https:// URL against a plain HTTP server: OpenSSL's multi-line dump says nothing useful.
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message)) {
    return 'TLS handshake failed: the server does not speak HTTPS (is AKINON_URL http://?)';
  }
  return code ?? message.split('\n')[0];
}
