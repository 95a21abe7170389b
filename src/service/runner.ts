import { LockBusyError } from '../errors';
import { rebuild } from '../sync/rebuild';
import { reconcile } from '../sync/reconcile';
import { retryQuarantineNow } from '../sync/quarantine';
import { recordedRun } from '../sync/runs';
import { shapeChange } from '../sync/source-identity';
import { runWith, type RunContext } from '../sync/context';
import type { RunSummary } from '../sync/summary';
import { sync } from '../sync/sync';
import type { Activity, ActivityKind } from './activity';
import type { FeederMetrics } from './metrics';

/*
 * The service's runs, one at a time: a schedule tick or a request starts one unless one is in
 * flight (then it is skipped and logged). Each run gets its own context (the shared wiring and its
 * options), is recorded and measured, and reports its progress to the console's activity.
 */

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

const RUNS: Record<ActivityKind, (ctx: RunContext) => Promise<RunSummary>> = {
  sync: syncOrRollOut,
  rebuild,
  reconcile,
  // Fetches every quarantined record again and indexes the ones that became valid (`feeder quarantine retry`).
  'quarantine-retry': retryQuarantineNow,
};

export interface RunnerOptions {
  metrics: FeederMetrics;
  activity: Activity;
  /** Aborted when the service stops: a run stops at its next checkpoint, requests in flight with it. */
  signal: AbortSignal;
  /** Called when a run starts and when it has settled (whatever its outcome), before the activity hears of it. */
  onChange: () => void;
}

export class Runner {
  private busy: Promise<unknown> | null = null;
  private current: ActivityKind | null = null;

  constructor(
    private readonly ctx: RunContext,
    private readonly opts: RunnerOptions,
  ) {}

  /** The kind of run in flight, or null. */
  get running(): ActivityKind | null {
    return this.current;
  }

  /** Starts a run unless one is in flight (then the tick is skipped and logged). */
  trigger(kind: ActivityKind, why: string, options: { allowShrink?: boolean } = {}): { started: boolean; done: Promise<RunSummary | null> } {
    const { metrics, activity, signal } = this.opts;
    // This run's own context: the shared wiring, and its options (nothing shared is flipped around it).
    const ctx = runWith(this.ctx, { signal, onProgress: (e) => activity.onProgress(e), allowShrink: options.allowShrink === true });
    if (this.busy || signal.aborted) {
      ctx.log.info({ kind, why, running: this.current }, `${kind} ${why} skipped: a run is in flight`);
      return { started: false, done: Promise.resolve(null) };
    }
    const started = Date.now();
    const seconds = () => (Date.now() - started) / 1000;
    this.current = kind;
    this.opts.onChange();
    activity.runStarted(kind, why);
    // A run that fails before it begins (its checks) is recorded and logged like any failed run.
    const done = recordedRun(ctx, kind === 'quarantine-retry' ? 'sync' : kind, () => RUNS[kind](ctx)).then(
      (summary) => {
        metrics.recordRun(summary.kind, 'succeeded', summary, seconds());
        return summary;
      },
      (err: unknown) => {
        if (err instanceof LockBusyError) {
          ctx.log.info({ kind, why }, `${kind} ${why} skipped: ${err.message}`);
          metrics.recordRun(kind, 'skipped', null, seconds());
        } else {
          metrics.recordRun(kind, signal.aborted ? 'stopped' : 'failed', null, seconds());
        }
        return null;
      },
    );
    this.busy = done.finally(() => {
      this.busy = null;
      this.current = null;
      this.opts.onChange();
      activity.runFinished();
    });
    return { started: true, done };
  }

  /** Waits for the run in flight, at most `ms`; false when it did not end in time. */
  async settled(ms: number): Promise<boolean> {
    const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
    return (await Promise.race([this.busy, grace])) !== 'timeout';
  }
}
