import { documentHash } from '../document/hash';
import { buildCategoryDocument } from '../document/category';
import { live, type IndexKind, type SinkDocument, type Target } from '../sink/types';
import { batchBoundary, type RunContext } from './context';
import { buildOptions } from './materialize';
import type { ReconcileSummary } from './summary';
import { liveGen } from '../state/run-state';
import { withRunLock } from './lock';
import { assertSameSource } from './source-identity';
import { NoLiveIndexError } from '../errors';
import { loadCategoryTree, loadProductInputs, renderProduct, writeChanged } from './materialize';
import { beginRun, fail, succeed } from './runs';

/**
 * Compares the live index with what the state store says it should hold (docs/CONTRACT.md §4): strays
 * are deleted, missing and stale documents written. Repairs deletes lost while a sink was down and
 * edits made to the index by hand. It reads the whole index once: cheap enough for a daily run.
 */
export async function reconcile(ctx: RunContext): Promise<ReconcileSummary> {
  return withRunLock(ctx, async () => {
    assertSameSource(ctx);
    const run = beginRun(ctx, 'reconcile');
    const s = run.summary;
    try {
      const gen = liveGen(ctx.store);
      if (gen === null) throw new NoLiveIndexError('reconcile');
      const tree = loadCategoryTree(ctx.store);
      const opts = buildOptions(ctx.config);

      const expected = new Set<string>();
      let after = 0;
      for (;;) {
        await batchBoundary(ctx);
        const ids = ctx.store.rows.productIdsAfter(after, ctx.config.BATCH_SIZE);
        if (ids.length === 0) break;
        after = ids[ids.length - 1];
        const inputs = loadProductInputs(ctx.store, ids);
        const docs: SinkDocument[] = [];
        for (const input of inputs.values()) {
          const rendered = await renderProduct(ctx, input, tree, opts);
          if ('doc' in rendered) docs.push(rendered.doc);
          // A product the transform cannot render keeps what the index holds (it is quarantined by the runs).
          else if ('problem' in rendered) expected.add(String(input.product.id));
        }
        await repair(ctx, gen, 'products', live(ctx.sink, 'products'), docs, expected, s);
      }
      const nodes = [...tree.byId.values()].map((n) => buildCategoryDocument(n, tree, ctx.config.CATEGORY_PATH_STEP) as unknown as SinkDocument);
      const expectedCategories = new Set<string>();
      for (let i = 0; i < nodes.length; i += ctx.config.BATCH_SIZE) {
        await repair(ctx, gen, 'categories', live(ctx.sink, 'categories'), nodes.slice(i, i + ctx.config.BATCH_SIZE), expectedCategories, s);
      }
      await removeStrays(ctx, gen, 'products', live(ctx.sink, 'products'), expected, s);
      await removeStrays(ctx, gen, 'categories', live(ctx.sink, 'categories'), expectedCategories, s);
      // Anything repaired is something a sync missed (or a hand edit): a bug signal, whoever ran this.
      const repaired = s.missing + s.stale + s.strays;
      if (repaired > 0)
        ctx.log.warn({ missing: s.missing, stale: s.stale, strays: s.strays }, `reconcile repaired ${repaired} documents the live index had wrong`);
      return succeed(ctx, run);
    } catch (err) {
      throw fail(ctx, run, err);
    }
  });
}

async function repair(
  ctx: RunContext,
  gen: number,
  kind: IndexKind,
  target: Target,
  docs: SinkDocument[],
  expected: Set<string>,
  s: ReconcileSummary,
): Promise<void> {
  const ids = docs.map((d) => String(d.id));
  ids.forEach((id) => expected.add(id));
  const held = await ctx.sink.get(target, ids);
  const fixes: { doc: SinkDocument; hash: string; missing: boolean }[] = [];
  for (const doc of docs) {
    const hash = documentHash(doc);
    const current = held.get(String(doc.id));
    if (kind === 'products') s.checked++;
    if (!current) fixes.push({ doc, hash, missing: true });
    else if (documentHash(current) !== hash) fixes.push({ doc, hash, missing: false });
  }
  const written = await writeChanged(ctx, gen, target, fixes, s, {
    // What the index holds now matches; record it so the next sync compares against the truth.
    alsoInTransaction: () => {
      const fixed = new Set(fixes.map((f) => f.doc));
      for (const doc of docs) if (!fixed.has(doc)) ctx.store.documents.setHash(gen, kind, String(doc.id), documentHash(doc));
    },
  });
  if (kind === 'products') for (const f of fixes) if (written.has(String(f.doc.id))) s[f.missing ? 'missing' : 'stale']++;
}

async function removeStrays(ctx: RunContext, gen: number, kind: IndexKind, target: Target, expected: Set<string>, s: ReconcileSummary): Promise<void> {
  const strays: string[] = [];
  for await (const page of ctx.sink.scan(target)) {
    for (const doc of page) if (!expected.has(String(doc.id))) strays.push(String(doc.id));
  }
  if (strays.length === 0) return;
  await ctx.sink.delete(target, strays);
  ctx.store.tx(() => strays.forEach((id) => ctx.store.documents.deleteHash(gen, kind, id)));
  if (kind === 'products') {
    s.strays += strays.length;
    s.deleted += strays.length;
  }
}
