import type { StoredRow } from '../state/store';
import { canonicalInstant } from '../source/instant';
import { resourceDefs, type ResourceDef } from '../source/resources';
import type { Batch } from '../source/source';
import { forgetRow, Affected } from './affected';
import { stoppedByShutdown, throwIfAborted, batchBoundary, type RunContext } from './context';
import { eachConcurrently } from './concurrently';
import type { RunSummary } from './summary';
import { advanceWatermarks, applyBatch, applyTombstones, applyWindows, markPending, overlapped, refreshContentTypes, windowEnd } from './ingest';
import { drainPending, loadCategoryTree, writeCategories, writeProducts, type Destination } from './materialize';
import { withRunLock } from './lock';
import { knownSource } from './source-identity';
import { linkMode, rebuildPlan, saveRebuildPlan, setLinkMode, setLiveGen, setRefusedRebuild, setStoredSource, type RebuildPlan } from '../state/run-state';
import { ShrinkRefusedError } from '../errors';
import { beginRun, fail, succeed } from './runs';
import { live, exists } from '../sink/types';

/** A rebuild's checkpoint, kept in the state store so an interrupted rebuild resumes. */

/**
 * Full rebuild (docs/CONTRACT.md §4): crawl every resource into the state store, build every document
 * into a new physical index, catch up with what changed since the start, then swap the public name
 * atomically and drop the old index. Readers never see an empty or half index; edits made while it
 * ran are in the new index at the swap. An interrupted rebuild resumes from its checkpoint.
 */
export async function rebuild(ctx: RunContext): Promise<RunSummary> {
  return withRunLock(ctx, async () => {
    const known = knownSource(ctx);
    if (known !== null && known !== ctx.sourceId) {
      // Asked for explicitly: the only way to switch sources. Nothing of the old one is mixed in.
      ctx.log.warn({ from: known, to: ctx.sourceId }, "the source changed: forgetting the old source's rows; this rebuild replaces the index");
      const plan = rebuildPlan(ctx.store);
      if (plan) await discard(ctx, plan);
      ctx.store.tx(() => {
        ctx.store.forgetSource();
        setStoredSource(ctx.store, null);
      });
    }
    return rebuildLocked(ctx);
  });
}

/** Whether a rebuild was stopped or killed and waits to be resumed. */
export function hasInterruptedRebuild(ctx: RunContext): boolean {
  return rebuildPlan(ctx.store) !== null;
}

export async function rebuildLocked(ctx: RunContext): Promise<RunSummary> {
  const run = beginRun(ctx, 'rebuild');
  const summary = run.summary;
  try {
    const plan = await startOrResume(ctx);
    summary.gen = plan.gen;
    const dest: Destination = {
      gen: plan.gen,
      products: { kind: 'products', name: plan.products },
      categories: { kind: 'categories', name: plan.categories },
    };
    await crawl(ctx, plan, summary);
    await buildAll(ctx, plan, dest, summary);

    // Catch-up: everything modified since the rebuild began goes into the new index before the swap.
    ctx.onProgress?.({ phase: 'catch-up', done: 0 });
    const deletedAfter = await applyTombstones(ctx, plan.deletedAfter, summary);
    const upTo = windowEnd(ctx);
    const defs = resourceDefs(ctx.config);
    await applyWindows(ctx, defs, () => ({ from: plan.since }), summary);
    await drainPending(ctx, dest, summary);

    throwIfAborted(ctx);
    if (await exists(ctx.sink, 'products')) {
      const held = await ctx.sink.count(live(ctx.sink, 'products'));
      const next = await ctx.sink.count(dest.products);
      guardShrink(ctx, `the new index holds ${next} product documents, the live one ${held}`, held, next);
    }
    ctx.onProgress?.({ phase: 'swap', done: 0 });
    const stamp = { source: ctx.sourceId, profile: ctx.shape.fingerprint };
    await ctx.sink.swap(dest.products, stamp);
    await ctx.sink.swap(dest.categories, stamp);
    ctx.store.tx(() => {
      setLiveGen(ctx.store, plan.gen);
      ctx.store.documents.keepOnlyGeneration(plan.gen);
      saveRebuildPlan(ctx.store, null);
      setRefusedRebuild(ctx.store, null);
      advanceWatermarks(ctx, defs, upTo, deletedAfter);
    });
    summary.documents = await ctx.sink.count(live(ctx.sink, 'products'));
    return succeed(ctx, run);
  } catch (err) {
    // A failed rebuild removes its partial index; a stopped one (shutdown) keeps it to resume,
    // and so does a killed one, which never gets here.
    if (err instanceof ShrinkRefusedError) {
      setRefusedRebuild(ctx.store, { at: new Date().toISOString(), reason: err.message });
    }
    if (!stoppedByShutdown(ctx, err)) {
      const plan = rebuildPlan(ctx.store);
      if (plan) await discard(ctx, plan).catch((e: unknown) => ctx.log.warn({ error: (e as Error).message }, 'could not remove the partial index'));
    }
    throw fail(ctx, run, err);
  }
}

/**
 * Refuses a result implausibly smaller than what it replaces (docs/CONTRACT.md §4): an empty page
 * answered with 200, a keyset cursor sent past the catalog by one absurd id, the wrong catalog.
 */
function guardShrink(ctx: RunContext, what: string, from: number, to: number): void {
  const max = ctx.config.REBUILD_MAX_SHRINK;
  if (ctx.allowShrink || from === 0 || to >= from * (1 - max)) return;
  throw new ShrinkRefusedError(what, from, to, max);
}

async function startOrResume(ctx: RunContext): Promise<RebuildPlan> {
  const existing = rebuildPlan(ctx.store);
  if (existing && existing.linkMode === ctx.config.CATEGORY_LINK) {
    const ok = (await ctx.sink.has({ kind: 'products', name: existing.products })) && (await ctx.sink.has({ kind: 'categories', name: existing.categories }));
    if (ok) {
      ctx.log.info({ gen: existing.gen }, 'resuming the interrupted rebuild from its checkpoint');
      return existing;
    }
  }
  if (existing) await discard(ctx, existing);
  // The first request reads the source clock (the rebuild's start) and the tombstone cursor: the
  // catch-up re-reads every tombstone and row from the start's overlap (and lag) on, so what was
  // committed late during the crawl is in the new index at the swap.
  const deletedAfter = await ctx.source.deletedItemsBefore(() => overlapped(ctx, windowEnd(ctx)));
  const since = overlapped(ctx, windowEnd(ctx));
  await refreshContentTypes(ctx);
  const gen = Date.now();
  const products = await ctx.sink.create('products', gen);
  const categories = await ctx.sink.create('categories', gen).catch(async (err: unknown) => {
    await ctx.sink.drop(products).catch(() => undefined);
    throw err;
  });
  const plan: RebuildPlan = {
    gen,
    since,
    deletedAfter,
    products: products.name,
    categories: categories.name,
    crawled: {},
    builtAfter: 0,
    categoriesBuilt: false,
    linkMode: ctx.config.CATEGORY_LINK,
  };
  ctx.store.tx(() => {
    const previousMode = linkMode(ctx.store);
    if (previousMode !== null && previousMode !== ctx.config.CATEGORY_LINK) ctx.store.links.clearAll();
    setLinkMode(ctx.store, ctx.config.CATEGORY_LINK);
    saveRebuildPlan(ctx.store, plan);
    // The rows the crawl stores come from this source.
    setStoredSource(ctx.store, ctx.sourceId);
    // From now on (the plan names `gen`) every state change is pending in the new index too,
    // whoever applies it.
  });
  return plan;
}

async function discard(ctx: RunContext, plan: RebuildPlan): Promise<void> {
  ctx.log.info({ gen: plan.gen }, 'discarding an interrupted rebuild that cannot resume');
  await ctx.sink.drop({ kind: 'products', name: plan.products });
  await ctx.sink.drop({ kind: 'categories', name: plan.categories });
  ctx.store.tx(() => {
    ctx.store.documents.dropGeneration(plan.gen);
    saveRebuildPlan(ctx.store, null);
  });
}

/** Rows a crawl stages per state transaction: one commit per page would rewrite the same B-tree pages into the WAL thousands of times. */
const CRAWL_COMMIT_ROWS = 5000;

async function crawl(ctx: RunContext, plan: RebuildPlan, summary: RunSummary): Promise<void> {
  // Every resource is crawled side by side (the source client caps requests in flight); progress
  // is the sum over resources. Pages are applied in groups: a group's rows and the checkpoint that
  // covers them commit together, so a crash re-reads at most one group.
  const done = new Map<string, number>();
  const totals = new Map<string, number>();
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  let staged: { def: ResourceDef; batch: Batch<StoredRow> }[] = [];
  let stagedRows = 0;
  const commit = () => {
    if (staged.length === 0) return;
    const group = staged;
    staged = [];
    stagedRows = 0;
    ctx.store.tx(() => {
      for (const { def, batch } of group) {
        applyBatch(ctx, def, batch, plan.gen, summary, 'crawl');
        plan.crawled[def.name] = batch.lastId;
      }
      saveRebuildPlan(ctx.store, plan);
    });
  };
  await eachConcurrently(resourceDefs(ctx.config), async (def, stopped) => {
    const mark = plan.crawled[def.name];
    if (mark === 'done') return;
    let first = true;
    for await (const batch of ctx.source.read<StoredRow>(def, { afterId: mark ?? 0 })) {
      throwIfAborted(ctx);
      if (stopped()) return;
      if (first && batch.remaining !== undefined) {
        // The server's own count: rows after the resume point, plus those an earlier pass met.
        (plan.expected ??= {})[def.name] = ctx.store.rows.countSeen(def.name, plan.gen) + batch.remaining;
      }
      first = false;
      const before = done.get(def.name) ?? 0;
      staged.push({ def, batch });
      stagedRows += batch.rows.length + batch.invalid.length;
      if (stagedRows >= CRAWL_COMMIT_ROWS) commit();
      done.set(def.name, before + batch.rows.length);
      if (batch.remaining !== undefined) totals.set(def.name, before + batch.remaining);
      ctx.onProgress?.({ phase: 'crawl', done: sum(done), total: sum(totals) || undefined });
    }
    commit();
    // Rows this crawl did not meet are gone at the source (their tombstones predate the rebuild).
    // What embedded them is pending in every open generation: the live index hears of it even if
    // this rebuild never finishes.
    const since = canonicalInstant(plan.since)!;
    const met = ctx.store.rows.countSeen(def.name, plan.gen) + ctx.store.quarantine.count(def.name);
    const expected = plan.expected?.[def.name];
    if (expected !== undefined) guardShrink(ctx, `${def.name}: the crawl met ${met} of the ${expected} rows the server counts`, expected, met);
    const held = ctx.store.rows.countRows(def.name);
    const gone = ctx.store.rows.countUnseen(def.name, plan.gen, since);
    guardShrink(ctx, `${def.name}: the crawl would remove ${gone} of the ${held} rows stored`, held, held - gone);
    ctx.store.tx(() => {
      const affected = new Affected();
      for (const old of ctx.store.rows.sweepUnseen(def.name, plan.gen, since)) forgetRow(ctx.store, ctx.config, def.name, old, affected);
      markPending(ctx, affected);
      plan.crawled[def.name] = 'done';
      saveRebuildPlan(ctx.store, plan);
    });
  });
}

/**
 * Batches of a rebuild in flight: one being joined and built while the sink (an engine over the
 * network) takes up to two earlier ones. 3 measured best against a 2-core Elasticsearch
 * (docs/PERFORMANCE.md); 2 left the engine idle between requests, 4 bought nothing.
 */
const BUILD_AHEAD = 3;

async function buildAll(ctx: RunContext, plan: RebuildPlan, dest: Destination, summary: RunSummary): Promise<void> {
  const tree = loadCategoryTree(ctx.store);
  const total = ctx.store.rows.countRows('products');
  const batchSize = ctx.sink.loadBatchSize ?? ctx.config.BATCH_SIZE;
  let done = 0;
  const inFlight: { write: Promise<void>; lastId: number; size: number }[] = [];
  // Batches are settled oldest first, so the checkpoint never passes a batch not yet written. A
  // crash between a batch's hashes and its checkpoint redoes the batch, which then writes nothing.
  const settleOldest = async () => {
    const { write, lastId, size } = inFlight.shift()!;
    await write;
    plan.builtAfter = lastId;
    saveRebuildPlan(ctx.store, plan);
    done += size;
    ctx.onProgress?.({ phase: 'build', done, total });
  };
  try {
    for (let queuedAfter = plan.builtAfter; ;) {
      await batchBoundary(ctx);
      const ids = ctx.store.rows.productIdsAfter(queuedAfter, batchSize);
      if (ids.length === 0) break;
      queuedAfter = ids[ids.length - 1];
      const write = writeProducts(ctx, dest, ids, tree, summary);
      // Handled here so a batch failing while an earlier one is awaited is not an unhandled
      // rejection; its error is still thrown where it is awaited.
      write.catch(() => undefined);
      inFlight.push({ write, lastId: queuedAfter, size: ids.length });
      if (inFlight.length >= BUILD_AHEAD) await settleOldest();
    }
    while (inFlight.length) await settleOldest();
  } catch (err) {
    // Nothing keeps writing once the build has failed: every batch in flight settles first.
    await Promise.allSettled(inFlight.map((b) => b.write));
    throw err;
  }
  if (!plan.categoriesBuilt) {
    const ids = [...tree.byId.keys()].sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i += ctx.config.BATCH_SIZE) {
      await writeCategories(ctx, dest, ids.slice(i, i + ctx.config.BATCH_SIZE), tree, summary);
    }
    plan.categoriesBuilt = true;
    saveRebuildPlan(ctx.store, plan);
  }
}
