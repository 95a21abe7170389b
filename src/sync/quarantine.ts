import { emptySummary, type RunSummary } from './summary';
import type { RunContext } from './context';
import { liveGen } from '../state/run-state';
import { resourceDefs } from '../source/resources';
import { retryQuarantined } from './ingest';
import { withRunLock } from './lock';
import { assertSameSource } from './source-identity';
import { drainPending, liveDestination } from './materialize';

/**
 * `feeder quarantine retry`: fetches every quarantined source record again now (instead of at the
 * next sync), stores the ones that became valid and writes what they change.
 */
export async function retryQuarantineNow(ctx: RunContext): Promise<RunSummary & { released: number; remaining: number }> {
  return withRunLock(ctx, async () => {
    assertSameSource(ctx);
    const summary = emptySummary('sync');
    const before = ctx.store.quarantine.count();
    await retryQuarantined(ctx, resourceDefs(ctx.config), summary, Number.MAX_SAFE_INTEGER);
    const gen = liveGen(ctx.store);
    if (gen !== null) await drainPending(ctx, liveDestination(ctx, gen), summary);
    const remaining = ctx.store.quarantine.count();
    return { ...summary, released: before - remaining, remaining };
  });
}
