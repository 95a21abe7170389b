import { LockBusyError, stripUserinfo } from '../errors';
import { emptySummary, type RunKind, type RunSummary, type SummaryOf } from './summary';
import { stoppedByShutdown, type RunContext } from './context';

export interface ActiveRun<S extends RunSummary = RunSummary> {
  id: number;
  summary: S;
  started: number;
  requestsBefore: number;
  retriesBefore: number;
}

export function beginRun<K extends RunKind>(ctx: RunContext, kind: K): ActiveRun<SummaryOf<K>> {
  return {
    id: ctx.store.runs.start(kind),
    summary: emptySummary(kind),
    started: Date.now(),
    requestsBefore: ctx.source.http.stats.requests,
    retriesBefore: ctx.source.http.stats.retries,
  };
}

/** Records a run's success and logs its one summary line. */
export function succeed<S extends RunSummary>(ctx: RunContext, run: ActiveRun<S>): S {
  close(ctx, run);
  ctx.store.runs.finish(run.id, 'succeeded', run.summary);
  ctx.log.info({ run: run.summary }, `${run.summary.kind} succeeded`);
  return run.summary;
}

/** Errors already recorded in the run history and logged (by `fail`). */
const recorded = new WeakSet<object>();

/** Records a run's failure (message and code only: errors never carry secrets), logs it once, and returns the error to rethrow. */
export function fail(ctx: RunContext, run: ActiveRun, err: unknown): unknown {
  close(ctx, run);
  if (err !== null && typeof err === 'object') recorded.add(err);
  const code = codeOf(err);
  const message = stripUserinfo(err instanceof Error ? err.message : String(err)) + (code ? ` [${code}]` : '');
  try {
    const stopped = stoppedByShutdown(ctx, err);
    ctx.store.runs.finish(run.id, stopped ? 'stopped' : 'failed', run.summary, stopped ? 'stopped by shutdown; resumes on the next run' : message);
  } catch {
    /* the state store itself may be what failed */
  }
  // A stop asked for by shutdown (a deploy, a restart) is routine: it resumes on the next run and
  // pages nobody. A failure is an error.
  if (stoppedByShutdown(ctx, err)) ctx.log.info({ run: run.summary }, `${run.summary.kind} stopped by shutdown; it resumes on the next run`);
  else ctx.log.error({ run: run.summary, code: code ?? null, error: message }, `${run.summary.kind} failed`);
  return err;
}

/**
 * Runs one run of `kind`, so that a failure before the run began (its checks of the source, the
 * index's stamp and shape, the index's existence) is recorded in the run history and logged once,
 * like a failure during it; `/healthz` and `status` then show it. A busy lock is not a failure (the
 * caller reports the skip), and neither is a stop asked for by shutdown.
 */
export async function recordedRun<T>(ctx: RunContext, kind: RunKind, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LockBusyError || stoppedByShutdown(ctx, err) || (err !== null && typeof err === 'object' && recorded.has(err))) throw err;
    try {
      fail(ctx, beginRun(ctx, kind), err);
    } catch {
      /* the state store itself may be what failed: the error is still the caller's to report */
    }
    throw err;
  }
}

/** The stable code of a failure: a FeederError's, or a system error's (ECONNREFUSED, SQLITE_FULL). */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : undefined;
}

function close(ctx: RunContext, run: ActiveRun): void {
  run.summary.durationMs = Date.now() - run.started;
  run.summary.requests = ctx.source.http.stats.requests - run.requestsBefore;
  run.summary.retries = ctx.source.http.stats.retries - run.retriesBefore;
}
