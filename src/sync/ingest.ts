import { canonicalInstant, instantOf, shiftInstant } from '../source/instant';
import type { ResourceDef, ResourceName } from '../source/resources';
import type { Batch, InvalidRecord, Window } from '../source/source';
import type { DeletedItem } from '../source/schemas';
import type { StoredRow } from '../state/store';
import { Affected, applyRow, forgetRow, type Tracking } from './affected';
import { DELETED_CURSOR, windowCursor } from './cursors';
import { eachConcurrently } from './concurrently';
import { throwIfAborted, type RunContext } from './context';
import type { RunSummary } from './summary';
import { liveGen, openGenerations, setStoredSource } from '../state/run-state';
import { resolveContentTypes, tombstoneAction } from './tombstones';

/**
 * Reading the source into the state store. Every page is one state transaction: its rows, its
 * quarantined records and the documents it affects (the `pending` set) commit together, so a
 * crash at any point leaves either the page applied or not, and the next run redoes the rest.
 */

/**
 * Stores one page of rows (one transaction): rows, quarantined records and the documents they
 * affect, made pending in every open generation. A crawl tracks only while a live index exists
 * (the rebuild's own index is built from the crawled rows anyway); the very first crawl, with no
 * index to keep up to date, stores rows blind.
 */
export function applyBatch(ctx: RunContext, def: ResourceDef, batch: Batch<StoredRow>, seen: number, summary: RunSummary, mode: Tracking['mode']): void {
  const affected = new Affected();
  const track: Tracking | undefined = mode === 'window' || liveGen(ctx.store) !== null ? { mode, affected } : undefined;
  ctx.store.tx(() => {
    keepInvalid(ctx, batch.invalid, summary);
    // A record whose new version is refused keeps its last good version: a crawl counts it as met,
    // so the sweep does not remove what the index still shows.
    if (mode === 'crawl') for (const rec of batch.invalid) if (/^\d+$/.test(rec.key)) ctx.store.rows.markSeen(def.name, Number(rec.key), seen);
    const releasing = ctx.store.quarantine.count() > 0;
    for (const row of batch.rows) {
      if (applyRow(ctx.store, ctx.config, def.name, row, seen, track)) summary.rows++;
      if (releasing) ctx.store.quarantine.release(def.name, String(row.id));
    }
    markPending(ctx, affected);
  });
}

/** Makes the affected documents pending in every open generation. */
export function markPending(ctx: RunContext, affected: Affected): void {
  if (affected.size === 0) return;
  const gens = openGenerations(ctx.store);
  ctx.store.documents.addPending(gens, 'products', affected.products);
  ctx.store.documents.addPending(gens, 'categories', affected.categories);
}

export function keepInvalid(ctx: RunContext, invalid: InvalidRecord[], summary: RunSummary): void {
  for (const rec of invalid) {
    ctx.store.quarantine.add(rec);
    summary.quarantined++;
    ctx.log.warn({ resource: rec.resource, record: rec.key, reason: rec.reason }, 'record quarantined');
  }
}

/**
 * Applies tombstones after `afterId`, a page per transaction, and returns the cursor to start from
 * next time. Applying a tombstone twice is harmless (the row is gone, what embedded it is already
 * pending), so the cursor stops before the first tombstone younger than the overlap (and lag): one
 * committed late with a lower id than those already visible is read by the next run. The cursor
 * itself moves with the watermarks at the end of the run. The first request of a run reads
 * tombstones, so its Date header is the source clock that cuts the run's window.
 */
export async function applyTombstones(ctx: RunContext, afterId: number, summary: RunSummary): Promise<number> {
  let cursor = afterId;
  let settled = true;
  let cutoff: string | null = null;
  let resolved = resolveContentTypes(ctx.store.rows.contentTypes(), ctx.config.AKINON_CONTENT_TYPES);
  let known = new Set(ctx.store.rows.contentTypes().map((t) => t.id));
  let refreshed = false;
  for await (const batch of ctx.source.deletedItems(afterId)) {
    throwIfAborted(ctx);
    cutoff ??= overlapped(ctx, windowEnd(ctx));
    if (!refreshed && batch.rows.some((item) => !known.has(item.content_type))) {
      // A content type we have not seen: read the (small) content-types list again, once per run.
      await refreshContentTypes(ctx);
      resolved = resolveContentTypes(ctx.store.rows.contentTypes(), ctx.config.AKINON_CONTENT_TYPES);
      known = new Set(ctx.store.rows.contentTypes().map((t) => t.id));
      refreshed = true;
    }
    ctx.store.tx(() => {
      keepInvalid(ctx, batch.invalid, summary);
      const affected = new Affected();
      for (const item of batch.rows) applyTombstone(ctx, item, resolved, known, affected, summary);
      markPending(ctx, affected);
    });
    for (const item of batch.rows) {
      if (!settled) break;
      if ((canonicalInstant(item.deleted_date) ?? '') >= cutoff) settled = false;
      else cursor = item.id;
    }
    if (settled) cursor = batch.lastId;
  }
  return cursor;
}

function applyTombstone(
  ctx: RunContext,
  item: DeletedItem,
  resolved: Map<number, ResourceName>,
  known: Set<number>,
  affected: Affected,
  summary: RunSummary,
): void {
  const action = tombstoneAction(item, resolved, known);
  if ('skip' in action) {
    if (action.skip === 'unknown') summary.skippedTombstones++;
    return;
  }
  summary.tombstones++;
  // A deleted product's document goes even if the state never held the product.
  if (action.resource === 'products') affected.add('products', action.id);
  if (action.resource === 'category_nodes') affected.add('categories', action.id);
  const old = ctx.store.rows.deleteRow(action.resource, action.id, action.deletedAt);
  if (old) forgetRow(ctx.store, ctx.config, action.resource, old, affected);
}

export async function refreshContentTypes(ctx: RunContext): Promise<void> {
  const types = await ctx.source.contentTypes();
  ctx.store.rows.replaceContentTypes(types);
}

/** Reads every windowed resource within its window and stores the rows, pending their documents. */
export async function applyWindows(
  ctx: RunContext,
  defs: readonly ResourceDef[],
  windows: (def: ResourceDef) => Window | null,
  summary: RunSummary,
): Promise<void> {
  // Resources are read side by side. The order pages land in does not matter: each page marks
  // what it affects given the rows stored so far, and documents are built from the final state.
  await eachConcurrently(defs, async (def, stopped) => {
    const window = windows(def);
    if (!window) return;
    for await (const batch of ctx.source.read<StoredRow>(def, { window })) {
      throwIfAborted(ctx);
      if (stopped()) return;
      applyBatch(ctx, def, batch, 0, summary, 'window');
    }
  });
}

/** Advances every resource's watermark to `to`, and the tombstone cursor, in one transaction. */
export function advanceWatermarks(ctx: RunContext, defs: readonly ResourceDef[], to: string, deletedAfter: number): void {
  ctx.store.tx(() => {
    // What the watermarks describe was read from this source (a store from before sources were
    // recorded adopts it here).
    setStoredSource(ctx.store, ctx.sourceId);
    for (const def of defs) ctx.store.cursors.set(windowCursor(def.name), to);
    ctx.store.cursors.set(DELETED_CURSOR, String(deletedAfter));
  });
}

/**
 * Where a run's reading of a resource starts, given where the last one ended: SYNC_OVERLAP_SECONDS
 * earlier, so a row committed after that run read past its `modified_date` is still found. The
 * state store keeps a re-read row that did not change as it was, and its documents are not touched.
 */
export function overlapped(ctx: RunContext, instant: string): string {
  return shiftInstant(instant, -ctx.config.SYNC_OVERLAP_SECONDS * 1000);
}

/** The source's clock minus SYNC_LAG_SECONDS (0 by default): the end of this run's window. */
export function windowEnd(ctx: RunContext): string {
  const clock = ctx.source.clock();
  if (!clock) ctx.log.warn('the source sent no Date header; cutting the window by the local clock');
  return shiftInstant(clock ?? instantOf(new Date()), -ctx.config.SYNC_LAG_SECONDS * 1000);
}

/**
 * Quarantined records are retried each run: fetched again by id; valid now -> stored, gone -> released.
 */
export async function retryQuarantined(ctx: RunContext, defs: readonly ResourceDef[], summary: RunSummary, limit = 50): Promise<void> {
  const byName = new Map(defs.map((d) => [d.name as string, d]));
  const candidates = ctx.store.quarantine.forRetry([...byName.keys()], limit);
  for (const q of candidates) {
    const def = byName.get(q.resource)!;
    const result = await ctx.source.fetchOne<StoredRow>(def, Number(q.record_key));
    ctx.store.tx(() => {
      if (!result) ctx.store.quarantine.release(q.resource, q.record_key);
      else if (result.invalid) ctx.store.quarantine.add(result.invalid);
      else if (result.row) {
        const affected = new Affected();
        applyRow(ctx.store, ctx.config, def.name, result.row, 0, { mode: 'window', affected });
        ctx.store.quarantine.release(q.resource, q.record_key);
        markPending(ctx, affected);
        summary.rows++;
      }
    });
  }
}
