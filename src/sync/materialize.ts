import { buildCategoryDocument } from '../document/category';
import { documentHash } from '../document/hash';
import { buildProductDocument } from '../document/product';
import { categoryTree } from '../document/tree';
import type { BuildOptions, CategoryTree, ProductInput } from '../document/types';
import type { Product } from '../source/schemas';
import type { DocKind, StateStore } from '../state/store';
import { live, type SinkDocument, type Target } from '../sink/types';
import { batchBoundary, buildOptions, type RunContext, type RunSummary } from './context';

/** Where documents go: a sink target and the generation whose hashes describe it. */
export interface Destination {
  gen: number;
  products: Target;
  categories: Target;
}

/** The public indexes, described by the live generation's hashes: where syncs write. */
export function liveDestination(ctx: RunContext, gen: number): Destination {
  return { gen, products: live(ctx.sink, 'products'), categories: live(ctx.sink, 'categories') };
}

/** Everything joined to each product of `ids` (missing products are absent from the map). */
export function loadProductInputs(store: StateStore, ids: readonly number[]): Map<number, ProductInput> {
  const products = store.products(ids);
  const group = <T extends { product: number }>(rows: T[]) => {
    const m = new Map<number, T[]>();
    for (const r of rows) m.set(r.product, [...(m.get(r.product) ?? []), r]);
    return m;
  };
  const prices = group(store.pricesOf(ids));
  const images = group(store.imagesOf(ids));
  const urlIds = products.map((p) => p.pretty_url).filter((u): u is number => u !== null);
  const urls = new Map(store.prettyUrls(urlIds).map((u) => [u.id, u]));
  const translations = new Map<number, typeof urls extends Map<number, infer U> ? U[] : never>();
  for (const t of store.urlTranslations(urlIds)) translations.set(t.parent!, [...(translations.get(t.parent!) ?? []), t]);
  const variants = store.variantsOf(ids);
  const variantPrices = group(store.pricesOf(variants.map((v) => v.id)));
  const variantsByParent = new Map<number, Product[]>();
  for (const v of variants) variantsByParent.set(v.parent!, [...(variantsByParent.get(v.parent!) ?? []), v]);
  const links = store.linksOf(ids);

  const out = new Map<number, ProductInput>();
  for (const product of products) {
    const url = product.pretty_url === null ? null : (urls.get(product.pretty_url) ?? null);
    out.set(product.id, {
      product,
      prices: prices.get(product.id) ?? [],
      images: images.get(product.id) ?? [],
      prettyUrl: url,
      urlTranslations: url ? (translations.get(url.id) ?? []) : [],
      linkedCategoryIds: links.get(product.id) ?? [],
      variants: (variantsByParent.get(product.id) ?? []).map((v) => ({ product: v, prices: variantPrices.get(v.id) ?? [] })),
    });
  }
  return out;
}

export function loadCategoryTree(store: StateStore): CategoryTree {
  return categoryTree(store.categoryNodes(), store.categoryUrls());
}

/** Whether a product belongs in the index under INDEX_FILTER. */
export function qualifies(ctx: RunContext, product: Product): boolean {
  return ctx.config.INDEX_FILTER === 'all' || (product.is_active && product.is_listable);
}

/**
 * The document a product gets in the index, or null when it stays out: it does not qualify under
 * INDEX_FILTER, or it has no valid price and PRICE_MISSING=hold (a price row quarantined before it
 * was ever valid, or none at all) — it is indexed, or deleted, when that changes.
 */
export function indexableDocument(ctx: RunContext, input: ProductInput, tree: CategoryTree, opts: BuildOptions): SinkDocument | null {
  if (!qualifies(ctx, input.product)) return null;
  const doc = buildProductDocument(input, tree, opts);
  if (doc.price === null && ctx.config.PRICE_MISSING === 'hold') return null;
  return doc as unknown as SinkDocument;
}

/**
 * Builds the product documents of `ids`, writes those whose content hash differs from the one
 * recorded for `dest`, deletes those that no longer exist or qualify, then records the new hashes
 * and clears the ids from `dest`'s pending set in one transaction — only after the sink accepted the writes.
 */
export async function writeProducts(ctx: RunContext, dest: Destination, ids: readonly number[], tree: CategoryTree, summary: RunSummary): Promise<void> {
  const inputs = loadProductInputs(ctx.store, ids);
  const opts = buildOptions(ctx.config);
  const docs: SinkDocument[] = [];
  const gone: string[] = [];
  for (const id of ids) {
    const input = inputs.get(id);
    const doc = input ? indexableDocument(ctx, input, tree, opts) : null;
    if (doc) docs.push(doc);
    else gone.push(String(id));
  }
  await writeDocuments(ctx, dest, 'product', docs, gone, ids, summary);
}

export async function writeCategories(ctx: RunContext, dest: Destination, ids: readonly number[], tree: CategoryTree, summary: RunSummary): Promise<void> {
  const docs: SinkDocument[] = [];
  const gone: string[] = [];
  for (const id of ids) {
    const node = tree.byId.get(id);
    if (node) docs.push(buildCategoryDocument(node, tree, ctx.config.CATEGORY_PATH_STEP) as unknown as SinkDocument);
    else gone.push(String(id));
  }
  await writeDocuments(ctx, dest, 'category', docs, gone, ids, summary);
}

async function writeDocuments(
  ctx: RunContext,
  dest: Destination,
  kind: DocKind,
  docs: SinkDocument[],
  gone: string[],
  ids: readonly number[],
  summary: RunSummary,
): Promise<void> {
  const target = kind === 'product' ? dest.products : dest.categories;
  const known = ctx.store.hashes(dest.gen, kind, [...docs.map((d) => String(d.id)), ...gone]);
  const changed: { doc: SinkDocument; hash: string }[] = [];
  for (const doc of docs) {
    const hash = documentHash(doc);
    if (known.get(String(doc.id)) !== hash) changed.push({ doc, hash });
    else if (kind === 'product') summary.unchanged++;
  }
  const rejections = changed.length
    ? await ctx.sink.write(
        target,
        changed.map((c) => c.doc),
      )
    : [];
  // Deleting an id the index does not hold is harmless; sending it repairs a delete lost to a crash.
  if (gone.length) await ctx.sink.delete(target, gone);
  const rejected = new Map(rejections.map((r) => [r.id, r.reason]));
  ctx.store.tx(() => {
    for (const { doc, hash } of changed) {
      const id = String(doc.id);
      const reason = rejected.get(id);
      if (reason !== undefined) {
        ctx.store.deleteHash(dest.gen, kind, id);
        ctx.store.quarantine({ resource: `${kind}_documents`, key: id, reason, raw: doc });
        summary.rejected++;
        continue;
      }
      ctx.store.setHash(dest.gen, kind, id, hash);
      ctx.store.release(`${kind}_documents`, id);
      if (kind === 'product') summary.written++;
      else summary.categoriesWritten++;
    }
    for (const id of gone) {
      if (known.has(id) && kind === 'product') summary.deleted++;
      ctx.store.deleteHash(dest.gen, kind, id);
    }
    ctx.store.clearPending(dest.gen, kind, ids);
  });
  if (rejections.length) ctx.log.warn({ kind, rejected: rejections.length, first: rejections[0] }, 'documents rejected by the sink');
}

/** Writes every document pending in `dest`'s generation into it, a batch at a time. */
export async function drainPending(ctx: RunContext, dest: Destination, summary: RunSummary): Promise<void> {
  const tree = loadCategoryTree(ctx.store);
  for (const kind of ['product', 'category'] as const) {
    let after = 0;
    for (;;) {
      await batchBoundary(ctx);
      const ids = ctx.store.pendingBatch(dest.gen, kind, after, ctx.config.BATCH_SIZE);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      if (kind === 'product') await writeProducts(ctx, dest, ids, tree, summary);
      else await writeCategories(ctx, dest, ids, tree, summary);
    }
  }
}
