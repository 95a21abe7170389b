import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Runtime } from '../wiring/runtime';
import { healthReport } from './health';
import { FeederMetrics } from './metrics';
import { sync } from '../sync/sync';
import { LockBusyError } from '../errors';
import type { RunContext, RunSummary } from '../sync/context';
import { reconcile } from '../sync/reconcile';
import { assertIndexSource, assertSameSource, shapeChange } from '../sync/source-identity';
import { hasInterruptedRebuild, rebuild } from '../sync/rebuild';
import { exists } from '../sink/types';
import { servedIndex } from '../sink';
import { recordedRun } from '../sync/runs';
import { SearchApi } from '../search/api';
import { answerSearch, searchEndpoint, type SearchHttpOptions } from '../search/http';

type Kind = 'sync' | 'rebuild' | 'reconcile';

/**
 * A scheduled sync, unless the configured search profile or transform changed since the live index
 * was built: then a rebuild rolls the new shape in (new index with the new settings, catch-up,
 * swap) while searches keep answering from the old one.
 */
async function syncOrRollOut(ctx: RunContext): Promise<RunSummary> {
  const change = await shapeChange(ctx);
  if (change === null) return sync(ctx);
  ctx.log.info(`${change}: rebuilding with no downtime`);
  return rebuild(ctx);
}

const RUNS: Record<Kind, (ctx: RunContext) => Promise<RunSummary>> = { sync: syncOrRollOut, rebuild, reconcile };

/**
 * `feeder serve`: runs `sync` on SYNC_CRON (and `rebuild` on REBUILD_CRON, `reconcile` on
 * RECONCILE_CRON); builds the index first
 * when it does not exist, or resumes an interrupted rebuild; answers GET /healthz and GET /metrics,
 * and POST /sync and POST /rebuild when ADMIN_TOKEN is set. On SIGTERM/SIGINT the current run stops
 * at its next batch boundary (checkpointed), the lock is released, and the process exits 0 within
 * SHUTDOWN_GRACE_MS.
 */
export class Service {
  readonly metrics = new FeederMetrics();
  private busy: Promise<unknown> | null = null;
  private running: Kind | null = null;
  private readonly abort = new AbortController();
  private server: http.Server | null = null;
  /** The search API's own listener (SEARCH_PORT), when it has one. */
  private searchServer: http.Server | null = null;
  private tasks: ScheduledTask[] = [];
  private readonly cacheBytes: () => number;
  /** The storefront search API (null with a sink that cannot search). */
  readonly search: SearchApi | null;
  private readonly searchHttp: SearchHttpOptions;
  /** Closes what serving searches holds (the embedded index's search threads). */
  private readonly closeSearch: () => Promise<void>;

  constructor(private readonly rt: Runtime) {
    const served = rt.searcher
      ? servedIndex(rt.ctx.config, rt.ctx.shape.profile, rt.searcher, {
          onCacheLookup: (hit) => this.metrics.searchCache.inc({ result: hit ? 'hit' : 'miss' }),
        })
      : null;
    this.search = served ? new SearchApi(served.index, rt.ctx.shape.profile) : null;
    this.closeSearch = served ? () => served.close() : async () => undefined;
    this.cacheBytes = () => served?.cache?.size ?? 0;
    this.searchHttp = { corsOrigins: rt.ctx.config.SEARCH_CORS_ORIGINS, cacheSeconds: rt.ctx.config.SEARCH_CACHE_SECONDS };
    rt.ctx.signal = this.abort.signal;
    rt.ctx.source.http.setShutdownSignal(this.abort.signal);
    this.metrics.watchSource(rt.ctx.source.http);
  }

  /** Starts a run unless one is in flight (then the tick is skipped and logged). */
  trigger(kind: Kind, why: string, opts: { allowShrink?: boolean } = {}): { started: boolean; done: Promise<RunSummary | null> } {
    const { ctx } = this.rt;
    if (this.busy || this.abort.signal.aborted) {
      ctx.log.info({ kind, why, running: this.running }, `${kind} ${why} skipped: a run is in flight`);
      return { started: false, done: Promise.resolve(null) };
    }
    const started = Date.now();
    this.running = kind;
    ctx.allowShrink = opts.allowShrink === true;
    // A run that fails before it begins (its checks) is recorded and logged like any failed run.
    const done = recordedRun(ctx, kind, () => RUNS[kind](ctx)).then(
      (summary) => {
        this.metrics.recordRun(summary.kind, 'succeeded', summary, (Date.now() - started) / 1000);
        return summary;
      },
      (err: unknown) => {
        if (err instanceof LockBusyError) {
          ctx.log.info({ kind, why }, `${kind} ${why} skipped: ${err.message}`);
          this.metrics.recordRun(kind, 'skipped', null, (Date.now() - started) / 1000);
        } else {
          this.metrics.recordRun(kind, this.abort.signal.aborted ? 'stopped' : 'failed', null, (Date.now() - started) / 1000);
        }
        return null;
      },
    );
    this.busy = done.finally(() => {
      // The run may have changed the category tree the search API names and suggests.
      this.search?.categories.invalidate();
      ctx.allowShrink = false;
      this.busy = null;
      this.running = null;
    });
    return { started: true, done };
  }

  async start(): Promise<string> {
    const { ctx } = this.rt;
    const { config } = ctx;
    // Serving never switches sources (only an explicit `feeder rebuild` does): exit 2 at once.
    assertSameSource(ctx);
    await assertIndexSource(ctx);
    // A sink that cannot be reached at start fails the start (exit 1, one line) before anything
    // listens or is scheduled: a supervisor restarts the process, with its own backoff, instead of
    // a half-started service answering errors forever.
    const built = await exists(ctx.sink, 'products');
    // With SEARCH_PORT the search API listens on its own port and PORT keeps the operator's endpoints.
    const ownSearchPort = config.SEARCH_PORT !== undefined;
    this.server = await listen((req, res) => void this.handle(req, res, ownSearchPort ? 'operator' : 'all'), config.PORT, config.HOST);
    const url = `http://${config.HOST}:${(this.server.address() as AddressInfo).port}`;
    let searchUrl = url;
    if (ownSearchPort) {
      const host = config.SEARCH_HOST ?? config.HOST;
      this.searchServer = await listen((req, res) => void this.handle(req, res, 'search'), config.SEARCH_PORT!, host);
      searchUrl = `http://${host}:${(this.searchServer.address() as AddressInfo).port}`;
    }
    ctx.log.info(
      {
        url,
        search: this.search ? `${searchUrl}/search` : null,
        syncCron: config.SYNC_CRON,
        rebuildCron: config.REBUILD_CRON ?? null,
        reconcileCron: config.RECONCILE_CRON ?? null,
        admin: Boolean(config.ADMIN_TOKEN),
      },
      'feeder serving',
    );
    this.tasks.push(cron.schedule(config.SYNC_CRON, () => void this.trigger('sync', 'tick'), { name: 'sync' }));
    if (config.REBUILD_CRON) this.tasks.push(cron.schedule(config.REBUILD_CRON, () => void this.trigger('rebuild', 'tick'), { name: 'rebuild' }));
    if (config.RECONCILE_CRON) this.tasks.push(cron.schedule(config.RECONCILE_CRON, () => void this.trigger('reconcile', 'tick'), { name: 'reconcile' }));
    if (hasInterruptedRebuild(ctx)) {
      ctx.log.info('an interrupted rebuild is pending: resuming it');
      this.trigger('rebuild', 'resume');
    } else if (!built) {
      ctx.log.info('the index does not exist yet: building it now');
      this.trigger('rebuild', 'initial');
    } else if (await shapeChange(ctx)) {
      this.trigger('sync', 'profile');
    }
    return url;
  }

  /** Stops scheduling, stops the run at its next checkpoint, closes HTTP; bounded by SHUTDOWN_GRACE_MS. */
  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.abort.abort();
    const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.rt.ctx.config.SHUTDOWN_GRACE_MS).unref());
    if ((await Promise.race([this.busy, grace])) === 'timeout') {
      this.rt.ctx.log.warn({ graceMs: this.rt.ctx.config.SHUTDOWN_GRACE_MS }, 'the run did not stop in time; exiting anyway (the next start resumes)');
    }
    for (const server of [this.server, this.searchServer]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    await this.closeSearch();
  }

  private report() {
    const { ctx } = this.rt;
    return healthReport(ctx.store, ctx.config);
  }

  /**
   * One request, timed into `feeder_http_request_duration_seconds` by endpoint. Search requests are
   * logged at info, the rest at debug; a log line carries the path, never the query string (what
   * shoppers type stays out of logs).
   */
  private async handle(req: http.IncomingMessage, res: http.ServerResponse, serves: 'all' | 'operator' | 'search'): Promise<void> {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0];
    const endpoint = searchEndpoint(path);
    let status: number;
    if (endpoint && this.search && serves !== 'operator') {
      status = await answerSearch(this.search, endpoint, req, res, this.searchHttp, this.rt.ctx.log);
    } else if (serves === 'search') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
      status = 404;
    } else {
      status = await this.operatorEndpoint(req, res, path);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const label = endpoint ?? OPERATOR_ENDPOINTS.get(path) ?? 'other';
    this.metrics.http.observe({ endpoint: label, status: String(status) }, seconds);
    const line = { method: req.method, path: label === 'other' ? undefined : path, endpoint: label, status, ms: Math.round(seconds * 10_000) / 10 };
    if (endpoint) this.rt.ctx.log.info(line, 'request');
    else this.rt.ctx.log.debug(line, 'request');
  }

  private async operatorEndpoint(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<number> {
    const json = (status: number, body: unknown): number => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return status;
    };
    try {
      if (req.method === 'GET' && path === '/healthz') {
        const report = this.report();
        return json(report.ok ? 200 : 503, { ...report, running: this.running });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const report = this.report();
        // Unknown until a run has succeeded: NaN, never a reassuring 0.
        this.metrics.lag.set(report.lagSeconds ?? NaN);
        const lastSuccess = this.rt.ctx.store.lastSuccessAt();
        this.metrics.lastSuccess.set(lastSuccess ? Date.parse(lastSuccess) / 1000 : NaN);
        this.metrics.quarantined.set(report.quarantined);
        this.metrics.pending.set(report.pending);
        this.metrics.searchCacheBytes.set(this.cacheBytes());
        res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
        res.end(await this.metrics.registry.metrics());
        return 200;
      }
      if (req.method === 'POST' && (path === '/sync' || path === '/rebuild')) {
        const token = this.rt.ctx.config.ADMIN_TOKEN;
        if (!token) return json(404, { error: 'admin endpoints are disabled (ADMIN_TOKEN is not set)' });
        const kind = path.slice(1) as Kind;
        if (!bearerMatches(req.headers.authorization, token)) {
          // Never the token given: who asked, and how often (an alert on the counter finds a guesser).
          this.metrics.adminRefused.inc({ endpoint: kind });
          this.rt.ctx.log.warn(
            { endpoint: kind, remote: req.socket.remoteAddress, scheme: schemeOf(req.headers.authorization) },
            'admin request refused: missing or wrong bearer token',
          );
          return json(401, { error: 'missing or wrong bearer token' });
        }
        const allowShrink = kind === 'rebuild' && new URL(req.url ?? '/', 'http://x').searchParams.get('allow_shrink') === 'true';
        const { started } = this.trigger(kind, 'request', { allowShrink });
        return json(started ? 202 : 409, started ? { started: kind } : { error: `a ${this.running ?? 'run'} is in flight` });
      }
      return json(404, { error: 'not found' });
    } catch (err) {
      // The reason goes to the log; the caller learns only that it failed.
      this.rt.ctx.log.error({ path, err: (err as Error).message }, 'operator endpoint failed');
      return json(500, { error: 'internal error; see the feeder log' });
    }
  }
}

const OPERATOR_ENDPOINTS = new Map([
  ['/healthz', 'healthz'],
  ['/metrics', 'metrics'],
  ['/sync', 'sync'],
  ['/rebuild', 'rebuild'],
]);

/**
 * The limits of serve's listeners (docs/SEARCH-API.md, "Limits"): a client gets 10 s to send its
 * headers and 30 s for its whole request; an idle keep-alive connection closes after 5 s; at most
 * MAX_CONNECTIONS are open at once (more are refused by closing them); the request line and headers
 * together may hold 16 KB, beyond which the answer is a JSON 431 rather than Node's bare one.
 */
const HTTP_LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 };
export const MAX_CONNECTIONS = 1024;

function listen(handler: http.RequestListener, port: number, host: string): Promise<http.Server> {
  const server = http.createServer({ maxHeaderSize: HTTP_LIMITS.maxHeaderSize, requestTimeout: HTTP_LIMITS.requestTimeout }, handler);
  server.headersTimeout = HTTP_LIMITS.headersTimeout;
  server.keepAliveTimeout = HTTP_LIMITS.keepAliveTimeout;
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, text, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request line and headers exceed 16 KB']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request took too long to arrive']
          : [400, 'Bad Request', 'the request could not be read'];
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return new Promise<http.Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The scheme of an Authorization header (`Bearer`, `Basic`), or none: never its credentials. */
function schemeOf(header: string | undefined): string | null {
  if (!header) return null;
  return /^([A-Za-z]{1,16})\s/.exec(header)?.[1] ?? 'malformed';
}

function bearerMatches(header: string | undefined, token: string): boolean {
  // The scheme is case-insensitive (RFC 9110 section 11.1): `bearer` and `Bearer` both work.
  const given = Buffer.from(/^bearer\s+/i.exec(header ?? '') ? header!.replace(/^bearer\s+/i, '') : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
