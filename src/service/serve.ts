import http from 'node:http';
import cron, { type ScheduledTask } from 'node-cron';
import type { Runtime } from './runtime';
import { healthReport } from './health';
import { rebuild } from '../sync/rebuild';
import { sync } from '../sync/sync';
import { LockBusyError } from '../errors';
import { RunAborted, windowedResources, type RunSummary } from '../sync/context';

type Kind = 'sync' | 'rebuild';

/**
 * `feeder serve`: runs `sync` on SYNC_CRON (and `rebuild` on REBUILD_CRON), builds the index first
 * when it does not exist, answers GET /healthz, and stops cleanly on SIGTERM/SIGINT: the current
 * run halts at its next batch boundary (checkpointed), the lock is released, the process exits 0.
 */
export class Service {
  private busy: Promise<unknown> | null = null;
  private readonly abort = new AbortController();
  private server: http.Server | null = null;
  private tasks: ScheduledTask[] = [];

  constructor(private readonly rt: Runtime) {
    rt.ctx.signal = this.abort.signal;
  }

  /** Starts a run unless one is in flight (then the tick is skipped and logged). */
  trigger(kind: Kind): Promise<RunSummary | null> {
    const { ctx } = this.rt;
    if (this.busy || this.abort.signal.aborted) {
      ctx.log.info({ kind }, `${kind} tick skipped: a run is in flight`);
      return Promise.resolve(null);
    }
    const run = (kind === 'sync' ? sync(ctx) : rebuild(ctx)).catch((err: unknown) => {
      if (err instanceof LockBusyError) ctx.log.info({ kind }, `${kind} tick skipped: ${err.message}`);
      else if (!(err instanceof RunAborted)) ctx.log.error({ kind, error: (err as Error).message }, `${kind} failed`);
      return null;
    });
    this.busy = run.finally(() => {
      this.busy = null;
    });
    return run;
  }

  async start(): Promise<string> {
    const { ctx } = this.rt;
    const { config } = ctx;
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(config.PORT, config.HOST, resolve);
    });
    const addr = this.server.address() as import('node:net').AddressInfo;
    const url = `http://${config.HOST}:${addr.port}`;
    ctx.log.info({ url, syncCron: config.SYNC_CRON, rebuildCron: config.REBUILD_CRON ?? null }, 'feeder serving');
    this.tasks.push(cron.schedule(config.SYNC_CRON, () => void this.trigger('sync'), { name: 'sync' }));
    if (config.REBUILD_CRON) this.tasks.push(cron.schedule(config.REBUILD_CRON, () => void this.trigger('rebuild'), { name: 'rebuild' }));
    if (!(await ctx.sink.exists('products'))) {
      ctx.log.info('the index does not exist yet: building it now');
      void this.trigger('rebuild');
    }
    return url;
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.abort.abort();
    await this.busy;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const { ctx } = this.rt;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const report = healthReport(
        ctx.store,
        windowedResources(ctx).map((d) => d.name),
        ctx.config.MAX_LAG_SECONDS,
      );
      res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...report, running: this.busy !== null }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  }
}
