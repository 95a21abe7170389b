import { stripUserinfo } from '../errors';
import { emptySummary, stoppedByShutdown, type RunContext, type RunKind, type RunSummary, type SummaryOf } from './context';

export interface ActiveRun<S extends RunSummary = RunSummary> {
  id: number;
  summary: S;
  started: number;
  requestsBefore: number;
  retriesBefore: number;
}

export function beginRun<K extends RunKind>(ctx: RunContext, kind: K): ActiveRun<SummaryOf<K>> {
  return {
    id: ctx.store.startRun(kind),
    summary: emptySummary(kind),
    started: Date.now(),
    requestsBefore: ctx.source.http.stats.requests,
    retriesBefore: ctx.source.http.stats.retries,
  };
}

/** Records a run's success and logs its one summary line. */
export function succeed<S extends RunSummary>(ctx: RunContext, run: ActiveRun<S>): S {
  close(ctx, run);
  ctx.store.finishRun(run.id, 'succeeded', run.summary);
  ctx.log.info({ run: run.summary }, `${run.summary.kind} succeeded`);
  return run.summary;
}

/** Records a run's failure (message only: errors never carry secrets) and returns the error to rethrow. */
export function fail(ctx: RunContext, run: ActiveRun, err: unknown): unknown {
  close(ctx, run);
  const message = stripUserinfo(err instanceof Error ? err.message : String(err));
  try {
    const stopped = stoppedByShutdown(ctx, err);
    ctx.store.finishRun(run.id, stopped ? 'stopped' : 'failed', run.summary, stopped ? 'stopped by shutdown; resumes on the next run' : message);
  } catch {
    /* the state store itself may be what failed */
  }
  // A stop asked for by shutdown (a deploy, a restart) is routine: it resumes on the next run and
  // pages nobody. A failure is an error.
  if (stoppedByShutdown(ctx, err)) ctx.log.info({ run: run.summary }, `${run.summary.kind} stopped by shutdown; it resumes on the next run`);
  else ctx.log.error({ run: run.summary, error: message }, `${run.summary.kind} failed`);
  return err;
}

function close(ctx: RunContext, run: ActiveRun): void {
  run.summary.durationMs = Date.now() - run.started;
  run.summary.requests = ctx.source.http.stats.requests - run.requestsBefore;
  run.summary.retries = ctx.source.http.stats.retries - run.retriesBefore;
}
