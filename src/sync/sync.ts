import { DELETED_CURSOR, windowCursor } from './cursors';
import type { RunContext } from './context';
import type { RunSummary } from './summary';
import { liveGen } from '../state/run-state';
import { resourceDefs } from '../source/resources';
import { advanceWatermarks, applyTombstones, applyWindows, overlapped, retryQuarantined, windowEnd } from './ingest';
import { withRunLock } from './lock';
import { assertIndexSource, assertSameShape, assertSameSource } from './source-identity';
import { drainPending, liveDestination } from './materialize';
import { rebuildLocked } from './rebuild';
import { beginRun, fail, succeed } from './runs';
import { exists } from '../sink/types';

/**
 * One incremental run (docs/CONTRACT.md §4). Tombstones first (their first response also gives the
 * source clock T), then per resource the window [watermark - overlap, T - lag) read by id keyset,
 * then the affected documents rebuilt and written when their hash changed, then the watermarks
 * moved to T - lag. Its cost follows the number of changes, not the catalog size.
 */
export async function sync(ctx: RunContext): Promise<RunSummary> {
  return withRunLock(ctx, async () => {
    assertSameSource(ctx);
    await assertIndexSource(ctx);
    const gen = liveGen(ctx.store);
    if (gen === null || !(await exists(ctx.sink, 'products'))) {
      ctx.log.info('no live index yet: this sync runs a full rebuild');
      return rebuildLocked(ctx);
    }
    await assertSameShape(ctx);
    const run = beginRun(ctx, 'sync');
    try {
      const defs = resourceDefs(ctx.config);
      const deletedAfter = await applyTombstones(ctx, Number(ctx.store.cursors.get(DELETED_CURSOR) ?? 0), run.summary);
      const upTo = windowEnd(ctx);
      await applyWindows(
        ctx,
        defs,
        (def) => {
          // Read even when the source clock has not moved since the last run (its Date header counts
          // seconds): a late commit inside the overlap is found by the very next run.
          const last = ctx.store.cursors.get(windowCursor(def.name)) ?? undefined;
          return { from: last === undefined ? undefined : overlapped(ctx, last), to: upTo };
        },
        run.summary,
      );
      await retryQuarantined(ctx, defs, run.summary);
      await drainPending(ctx, liveDestination(ctx, gen), run.summary);
      // Only once the sink holds the changes: a failed write leaves the window to be read again.
      advanceWatermarks(ctx, defs, upTo, deletedAfter);
      return succeed(ctx, run);
    } catch (err) {
      throw fail(ctx, run, err);
    }
  });
}
