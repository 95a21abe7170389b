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
  /** The storefront search API (null with a sink that cannot search). */
  readonly search: SearchApi | null;
  private readonly searchHttp: SearchHttpOptions;

  constructor(private readonly rt: Runtime) {
    this.search = rt.searcher ? new SearchApi(rt.searcher, rt.ctx.shape.profile) : null;
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
    const done = RUNS[kind](ctx).then(
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
        res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
        res.end(await this.metrics.registry.metrics());
        return 200;
      }
      if (req.method === 'POST' && (path === '/sync' || path === '/rebuild')) {
        const token = this.rt.ctx.config.ADMIN_TOKEN;
        if (!token) return json(404, { error: 'admin endpoints are disabled (ADMIN_TOKEN is not set)' });
        if (!bearerMatches(req.headers.authorization, token)) return json(401, { error: 'missing or wrong bearer token' });
        const kind = path.slice(1) as Kind;
        const allowShrink = kind === 'rebuild' && new URL(req.url ?? '/', 'http://x').searchParams.get('allow_shrink') === 'true';
        const { started } = this.trigger(kind, 'request', { allowShrink });
        return json(started ? 202 : 409, started ? { started: kind } : { error: `a ${this.running ?? 'run'} is in flight` });
      }
      return json(404, { error: 'not found' });
    } catch (err) {
      return json(500, { error: (err as Error).message });
    }
  }
}

const OPERATOR_ENDPOINTS = new Map([
  ['/healthz', 'healthz'],
  ['/metrics', 'metrics'],
  ['/sync', 'sync'],
  ['/rebuild', 'rebuild'],
]);

function listen(handler: http.RequestListener, port: number, host: string): Promise<http.Server> {
  const server = http.createServer(handler);
  return new Promise<http.Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  // The scheme is case-insensitive (RFC 9110 section 11.1): `bearer` and `Bearer` both work.
  const given = Buffer.from(/^bearer\s+/i.exec(header ?? '') ? header!.replace(/^bearer\s+/i, '') : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
