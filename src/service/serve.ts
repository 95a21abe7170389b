import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import cron, { type ScheduledTask } from 'node-cron';
import type { Runtime } from '../wiring/runtime';
import { healthReport } from './health';
import { FeederMetrics } from './metrics';
import { sync } from '../sync/sync';
import { LockBusyError } from '../errors';
import { runWith, type RunContext } from '../sync/context';
import type { RunSummary } from '../sync/summary';
import { reconcile } from '../sync/reconcile';
import { assertIndexSource, assertSameSource, shapeChange } from '../sync/source-identity';
import { hasInterruptedRebuild, rebuild } from '../sync/rebuild';
import { exists } from '../sink/types';
import { servedIndex } from '../sink';
import { recordedRun } from '../sync/runs';
import { SearchApi } from '../search/api';
import { buildHttpApp, type HttpOptions, type OperatorHandlers, type Serves } from './http';
import { CONSOLE_DIR, consoleRoutes, type ConsoleOptions } from './console';
import { SANDBOX_IMAGE_ORIGIN } from '../sandbox/generate';
import { Activity, type ActivityKind } from './activity';
import { serviceStatus, type ServiceStatus } from './status';
import { retryQuarantineNow } from '../sync/quarantine';

type Kind = ActivityKind;

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

const RUNS: Record<Kind, (ctx: RunContext) => Promise<RunSummary>> = {
  sync: syncOrRollOut,
  rebuild,
  reconcile,
  // Fetches every quarantined record again and indexes the ones that became valid (`feeder quarantine retry`).
  'quarantine-retry': retryQuarantineNow,
};

/** How often the lag is sampled for the console's chart. */
const LAG_SAMPLE_MS = 15_000;
/** How long a /status answer is reused (it asks the engine for its counts). */
const STATUS_TTL_MS = 1_000;

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
  /** The run in progress and the lag history, as the console shows them. */
  readonly activity = new Activity();
  private readonly startedAt = new Date().toISOString();
  private lagTimer: NodeJS.Timeout | null = null;
  private status: { at: number; value: Promise<ServiceStatus> } | null = null;
  private busy: Promise<unknown> | null = null;
  private running: Kind | null = null;
  private server: FastifyInstance | null = null;
  /** The search API's own listener (SEARCH_PORT), when it has one. */
  private searchServer: FastifyInstance | null = null;
  private tasks: ScheduledTask[] = [];
  private readonly cacheBytes: () => number;
  /** The storefront search API (null with a sink that cannot search). */
  readonly search: SearchApi | null;
  /** Closes what serving searches holds (the embedded index's search threads). */
  private readonly closeSearch: () => Promise<void>;

  /**
   * `shutdown`: aborted by `stop()`; the runtime's source client was opened with its signal, so
   * requests in flight stop with the runs.
   */
  constructor(
    private readonly rt: Runtime,
    private readonly abort = new AbortController(),
  ) {
    const served = rt.engine
      ? servedIndex(rt.ctx.config, rt.ctx.shape.profile, rt.engine, {
          onCacheLookup: (hit) => this.metrics.searchCache.inc({ result: hit ? 'hit' : 'miss' }),
        })
      : null;
    this.search = served ? new SearchApi(served.index, rt.ctx.shape.profile, { hasLiveIndex: () => exists(rt.ctx.sink, 'products') }) : null;
    this.closeSearch = served ? () => served.close() : async () => undefined;
    this.cacheBytes = () => served?.cache?.size ?? 0;
    this.metrics.watchSource(rt.sourceHttp);
  }

  /** Starts a run unless one is in flight (then the tick is skipped and logged). */
  trigger(kind: Kind, why: string, opts: { allowShrink?: boolean } = {}): { started: boolean; done: Promise<RunSummary | null> } {
    // This run's own context: the shared wiring, and its options (nothing shared is flipped around it).
    const ctx = runWith(this.rt.ctx, {
      signal: this.abort.signal,
      onProgress: (e) => this.activity.onProgress(e),
      allowShrink: opts.allowShrink === true,
    });
    if (this.busy || this.abort.signal.aborted) {
      ctx.log.info({ kind, why, running: this.running }, `${kind} ${why} skipped: a run is in flight`);
      return { started: false, done: Promise.resolve(null) };
    }
    const started = Date.now();
    this.running = kind;
    this.status = null;
    this.activity.runStarted(kind, why);
    // A run that fails before it begins (its checks) is recorded and logged like any failed run.
    const done = recordedRun(ctx, kind === 'quarantine-retry' ? 'sync' : kind, () => RUNS[kind](ctx)).then(
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
      this.search?.invalidate();
      this.busy = null;
      this.running = null;
      this.status = null;
      this.sampleLag();
      this.activity.runFinished();
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
    // With SEARCH_PORT the search API listens on its own port and PORT keeps the operator's
    // endpoints; the same port as PORT serves both on the one listener.
    const ownSearchPort = config.SEARCH_PORT !== undefined && !(config.SEARCH_PORT === config.PORT && config.PORT !== 0);
    if (config.SEARCH_PORT !== undefined && !ownSearchPort)
      ctx.log.info({ port: config.PORT }, 'SEARCH_PORT is PORT: search and the operator endpoints share one listener');
    this.server = await this.listen(ownSearchPort ? 'operator' : 'all', config.PORT, config.HOST);
    const url = `http://${config.HOST}:${(this.server.server.address() as AddressInfo).port}`;
    let searchUrl = url;
    if (ownSearchPort) {
      const host = config.SEARCH_HOST ?? config.HOST;
      this.searchServer = await this.listen('search', config.SEARCH_PORT!, host);
      searchUrl = `http://${host}:${(this.searchServer.server.address() as AddressInfo).port}`;
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
    this.sampleLag();
    this.lagTimer = setInterval(() => this.sampleLag(), LAG_SAMPLE_MS).unref();
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
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.abort.abort();
    const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.rt.ctx.config.SHUTDOWN_GRACE_MS).unref());
    if ((await Promise.race([this.busy, grace])) === 'timeout') {
      this.rt.ctx.log.warn({ graceMs: this.rt.ctx.config.SHUTDOWN_GRACE_MS }, 'the run did not stop in time; exiting anyway (the next start resumes)');
    }
    for (const app of [this.server, this.searchServer]) {
      app?.server.closeAllConnections();
      await app?.close();
    }
    await this.closeSearch();
  }

  private report() {
    const { ctx } = this.rt;
    return healthReport(ctx.store, ctx.config);
  }

  private sampleLag(): void {
    try {
      this.activity.sampleLag(this.report().lagSeconds);
    } catch (err) {
      this.rt.ctx.log.warn({ err: (err as Error).message }, 'the lag could not be read from the state store');
    }
  }

  /** GET /status: shared by the requests of one second (it asks the engine for its counts). */
  statusNow(): Promise<ServiceStatus> {
    const now = Date.now();
    if (this.status && now - this.status.at < STATUS_TTL_MS) return this.status.value;
    const { ctx } = this.rt;
    const value = serviceStatus({
      store: ctx.store,
      config: ctx.config,
      sink: ctx.sink,
      fingerprint: ctx.shape.fingerprint,
      profile: ctx.shape.profile,
      activity: this.activity,
      running: this.running,
      startedAt: this.startedAt,
      searchEnabled: this.search !== null,
      sandboxImageOrigin: this.rt.sandbox ? SANDBOX_IMAGE_ORIGIN : null,
    });
    this.status = { at: now, value };
    return value;
  }

  /** One listener answering what `serves` says (docs/SEARCH-API.md, "Limits" for its limits). */
  private async listen(serves: Serves, port: number, host: string): Promise<FastifyInstance> {
    const { ctx } = this.rt;
    const opts: HttpOptions = {
      metrics: this.metrics,
      log: ctx.log,
      operator: this.operatorHandlers(),
      search: this.search,
      corsOrigins: ctx.config.SEARCH_CORS_ORIGINS,
      cacheSeconds: ctx.config.SEARCH_CACHE_SECONDS,
      commerce: { priceType: ctx.config.PRICE_TYPE },
    };
    const app = buildHttpApp(serves, opts);
    // The console lives beside the operator's endpoints, never on the search API's own port.
    if (serves !== 'search') consoleRoutes(app, opts, this.consoleOptions());
    await app.listen({ port, host });
    return app;
  }

  private consoleOptions(): ConsoleOptions {
    const { ctx } = this.rt;
    let origins: { at: number; list: string[] } | null = null;
    return {
      dir: CONSOLE_DIR,
      // Read again at most once a minute: a first crawl is what stages the first images.
      imageOrigins: () => {
        if (!origins || Date.now() - origins.at > 60_000) origins = { at: Date.now(), list: ctx.store.rows.imageOrigins() };
        return origins.list;
      },
    };
  }

  private operatorHandlers(): OperatorHandlers {
    const { ctx } = this.rt;
    const token = ctx.config.ADMIN_TOKEN;
    return {
      adminToken: token,
      tokenMatches: (header) => token !== undefined && bearerMatches(header, token),
      health: () => {
        const report = this.report();
        return { status: report.ok ? 200 : 503, body: { ...report, running: this.running } };
      },
      metrics: async () => {
        const report = this.report();
        // Unknown until a run has succeeded: NaN, never a reassuring 0.
        this.metrics.lag.set(report.lagSeconds ?? NaN);
        const lastSuccess = ctx.store.runs.lastSuccessAt();
        this.metrics.lastSuccess.set(lastSuccess ? Date.parse(lastSuccess) / 1000 : NaN);
        this.metrics.quarantined.set(report.quarantined);
        this.metrics.pending.set(report.pending);
        this.metrics.searchCacheBytes.set(this.cacheBytes());
        return { contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
      },
      run: (kind, query) => {
        const allowShrink = kind === 'rebuild' && query.get('allow_shrink') === 'true';
        const { started } = this.trigger(kind, 'request', { allowShrink });
        return started ? { status: 202, body: { started: kind } } : { status: 409, body: { error: `a ${this.running ?? 'run'} is in flight` } };
      },
      purgeQuarantine: (resource) => {
        const removed = ctx.store.quarantine.purge(resource);
        this.status = null;
        ctx.log.info({ resource: resource ?? null, removed }, 'quarantine purged by request');
        return { removed };
      },
      status: () => this.statusNow(),
      activity: this.activity,
    };
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  // The scheme is case-insensitive (RFC 9110 section 11.1): `bearer` and `Bearer` both work.
  const given = Buffer.from(/^bearer\s+/i.exec(header ?? '') ? header!.replace(/^bearer\s+/i, '') : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
