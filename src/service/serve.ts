import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import cron, { type ScheduledTask } from 'node-cron';
import type { Runtime } from '../wiring/runtime';
import { FeederMetrics } from './metrics';
import type { RunSummary } from '../sync/summary';
import { assertIndexSource, assertSameSource, shapeChange } from '../sync/source-identity';
import { hasInterruptedRebuild } from '../sync/rebuild';
import { exists } from '../sink/types';
import { servedIndex } from '../sink';
import { SearchApi } from '../search/api';
import { buildHttpApp, type HttpOptions, type Serves } from './http';
import { CONSOLE_DIR, consoleRoutes, type ConsoleOptions } from './console';
import { SANDBOX_IMAGE_ORIGIN } from '../sandbox/generate';
import { Activity, type ActivityKind } from './activity';
import { serviceStatus, type ServiceStatus } from './status';
import { Runner } from './runner';
import { operatorHandlers, reportOf } from './operator';

/** How often the lag is sampled for the console's chart. */
const LAG_SAMPLE_MS = 15_000;
/** How long a /status answer is reused (it asks the engine for its counts). */
const STATUS_TTL_MS = 1_000;

/**
 * `feeder serve`, the composition of the service: schedules `sync` on SYNC_CRON (and `rebuild` on
 * REBUILD_CRON, `reconcile` on RECONCILE_CRON) through the runner; builds the index first when it
 * does not exist, or resumes an interrupted rebuild; opens the listeners (operator endpoints and the
 * console on PORT, the search API there or on SEARCH_PORT). On SIGTERM/SIGINT the current run stops
 * at its next batch boundary (checkpointed), the lock is released, and the process exits 0 within
 * SHUTDOWN_GRACE_MS. What the runs are is in runner.ts; what the operator's endpoints do, in operator.ts.
 */
export class Service {
  readonly metrics = new FeederMetrics();
  /** The run in progress and the lag history, as the console shows them. */
  readonly activity = new Activity();
  private readonly startedAt = new Date().toISOString();
  private lagTimer: NodeJS.Timeout | null = null;
  private status: { at: number; value: Promise<ServiceStatus> } | null = null;
  /** The runs, one at a time. */
  readonly runner: Runner;
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
    this.runner = new Runner(rt.ctx, {
      metrics: this.metrics,
      activity: this.activity,
      signal: abort.signal,
      onChange: () => {
        // A run may have changed the category tree the search API names and suggests, and what the status shows.
        this.search?.invalidate();
        this.status = null;
        if (!this.runner.running) this.sampleLag();
      },
    });
  }

  /** Starts a run unless one is in flight (then the tick is skipped and logged). */
  trigger(kind: ActivityKind, why: string, opts: { allowShrink?: boolean } = {}): { started: boolean; done: Promise<RunSummary | null> } {
    return this.runner.trigger(kind, why, opts);
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
    if (!(await this.runner.settled(this.rt.ctx.config.SHUTDOWN_GRACE_MS))) {
      this.rt.ctx.log.warn({ graceMs: this.rt.ctx.config.SHUTDOWN_GRACE_MS }, 'the run did not stop in time; exiting anyway (the next start resumes)');
    }
    for (const app of [this.server, this.searchServer]) {
      app?.server.closeAllConnections();
      await app?.close();
    }
    await this.closeSearch();
  }

  private sampleLag(): void {
    try {
      this.activity.sampleLag(reportOf(this.rt.ctx).lagSeconds);
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
      running: this.runner.running,
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
      operator: operatorHandlers({
        ctx,
        metrics: this.metrics,
        activity: this.activity,
        runner: this.runner,
        status: () => this.statusNow(),
        statusChanged: () => (this.status = null),
        cacheBytes: this.cacheBytes,
      }),
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
}
