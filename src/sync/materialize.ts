import { buildCategoryDocument } from '../document/category';
import { documentHash } from '../document/hash';
import { buildProductDocument } from '../document/product';
import { localeFields } from '../document/localized';
import { transformedProblem } from '../profile/validate';
import type { TransformRows } from '../profile/transform';
import { categoryTree } from '../document/tree';
import type { BuildOptions, CategoryTree, ProductInput } from '../document/types';
import type { Product } from '../source/schemas';
import type { StateStore } from '../state/store';
import { documentsResource } from '../state/documents';
import { live, type IndexKind, type Rejection, type SinkDocument, type Target } from '../sink/types';
import { batchBoundary, type RunContext } from './context';
import type { RunSummary } from './summary';
import type { Config } from '../config/schema';

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
  const products = store.rows.products(ids);
  const group = <T extends { product: number }>(rows: T[]) => {
    const m = new Map<number, T[]>();
    for (const r of rows) m.set(r.product, [...(m.get(r.product) ?? []), r]);
    return m;
  };
  const prices = group(store.rows.pricesOf(ids));
  const images = group(store.rows.imagesOf(ids));
  const urlIds = products.map((p) => p.pretty_url).filter((u): u is number => u !== null);
  const urls = new Map(store.rows.prettyUrls(urlIds).map((u) => [u.id, u]));
  const translations = new Map<number, typeof urls extends Map<number, infer U> ? U[] : never>();
  for (const t of store.rows.urlTranslations(urlIds)) translations.set(t.parent!, [...(translations.get(t.parent!) ?? []), t]);
  const variants = store.rows.variantsOf(ids);
  const variantPrices = group(store.rows.pricesOf(variants.map((v) => v.id)));
  const variantsByParent = new Map<number, Product[]>();
  for (const v of variants) variantsByParent.set(v.parent!, [...(variantsByParent.get(v.parent!) ?? []), v]);
  const links = store.links.of(ids);

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
  return categoryTree(store.rows.categoryNodes(), store.rows.categoryUrls());
}

/** Whether a product belongs in the index under INDEX_FILTER. */
export function qualifies(ctx: RunContext, product: Product): boolean {
  return ctx.config.INDEX_FILTER === 'all' || (product.is_active && product.is_listable);
}

/** What a product renders to: its document, nothing (it stays out of the index), or a reason it cannot be rendered. */
export type Rendered = { doc: SinkDocument } | { out: true } | { problem: string; raw: unknown };

/**
 * The document a product gets in the index, or `out` when it stays out: it does not qualify under
 * INDEX_FILTER, it has no valid price and PRICE_MISSING=hold (a price row quarantined before it
 * was ever valid, or none at all), or the transform left it out — it is indexed, or deleted, when
 * that changes. With the profile's locales the document gains `i18n`; then the transform (if any)
 * shapes it. A transform that throws, or returns what the profile does not declare, gives a
 * `problem`: that product is quarantined with the reason, the others land.
 */
export async function renderProduct(ctx: RunContext, input: ProductInput, tree: CategoryTree, opts: BuildOptions): Promise<Rendered> {
  if (!qualifies(ctx, input.product)) return { out: true };
  const built = buildProductDocument(input, tree, opts);
  if (built.price === null && ctx.config.PRICE_MISSING === 'hold') return { out: true };
  const { profile, transform } = ctx.shape;
  const doc = (profile.locales.length ? { ...built, i18n: localeFields(input, built, tree, profile.locales) } : built) as unknown as SinkDocument;
  if (!transform) return { doc };
  let result: unknown;
  try {
    result = await transform.fn(structuredClone(doc), transformRows(input, tree));
  } catch (err) {
    // (an error from the module's own realm is no `instanceof Error` here: read its message)
    const message = typeof (err as { message?: unknown } | null)?.message === 'string' ? (err as { message: string }).message : String(err);
    return { problem: `transform threw: ${message}`, raw: doc };
  }
  if (result === null) return { out: true };
  const problem = transformedProblem(result, doc, profile);
  return problem ? { problem, raw: result } : { doc: result as SinkDocument };
}

/** The raw records a transform receives (copies: a transform cannot change the state). */
function transformRows(input: ProductInput, tree: CategoryTree): TransformRows {
  const categories = input.linkedCategoryIds.map((id) => tree.byId.get(id)).filter((n) => n !== undefined);
  return structuredClone({
    product: input.product,
    prices: input.prices,
    images: input.images,
    prettyUrl: input.prettyUrl,
    urlTranslations: input.urlTranslations,
    categories,
    variants: input.variants,
  });
}

/*
 * The write path hands documents to the sink and keeps only ids and hashes while the engine works.
 * A rebuild holds several batches in flight, and an async function keeps every local and argument
 * alive while it awaits: the functions below that hold documents are plain functions, which end
 * once the sink has them, and the async ones that await the sink receive no documents.
 */

/**
 * Builds the product documents of `ids`, writes those whose content hash differs from the one
 * recorded for `dest`, deletes those that no longer exist or qualify, then records the new hashes
 * and clears the ids from `dest`'s pending set in one transaction — only after the sink accepted the writes.
 */
export function writeProducts(ctx: RunContext, dest: Destination, ids: readonly number[], tree: CategoryTree, summary: RunSummary): Promise<void> {
  return renderProducts(ctx, ids, tree).then((batch) => writeDocuments(ctx, dest, 'products', batch, ids, summary));
}

/** A batch rendered: the documents, the ids that stay out of the index, and the products that cannot be rendered. */
interface RenderedBatch {
  docs: SinkDocument[];
  gone: string[];
  problems: Problem[];
}

/** Renders the products of `ids`; the rows they are joined from are released on return. */
async function renderProducts(ctx: RunContext, ids: readonly number[], tree: CategoryTree): Promise<RenderedBatch> {
  const inputs = loadProductInputs(ctx.store, ids);
  const opts = buildOptions(ctx.config);
  const batch: RenderedBatch = { docs: [], gone: [], problems: [] };
  for (const id of ids) {
    const input = inputs.get(id);
    const rendered = input ? await renderProduct(ctx, input, tree, opts) : { out: true as const };
    if ('doc' in rendered) batch.docs.push(rendered.doc);
    else if ('problem' in rendered) batch.problems.push({ id: String(id), reason: rendered.problem, raw: rendered.raw });
    else batch.gone.push(String(id));
  }
  return batch;
}

/** A document refused: by the transform (its indexed version, if any, stays) or by the sink; quarantined with the reason. */
export interface Problem {
  id: string;
  reason: string;
  raw: unknown;
}

export function writeCategories(ctx: RunContext, dest: Destination, ids: readonly number[], tree: CategoryTree, summary: RunSummary): Promise<void> {
  const batch: RenderedBatch = { docs: [], gone: [], problems: [] };
  for (const id of ids) {
    const node = tree.byId.get(id);
    if (node) batch.docs.push(buildCategoryDocument(node, tree, ctx.config.CATEGORY_PATH_STEP) as unknown as SinkDocument);
    else batch.gone.push(String(id));
  }
  return writeDocuments(ctx, dest, 'categories', batch, ids, summary);
}

/**
 * Hands the documents whose hash changed to the sink, deletes the gone ones beside them (deleting an
 * id the index does not hold is harmless; sending it repairs a delete lost to a crash), and records
 * it all once the sink has accepted both.
 */
function writeDocuments(ctx: RunContext, dest: Destination, kind: IndexKind, batch: RenderedBatch, ids: readonly number[], summary: RunSummary): Promise<void> {
  const target = kind === 'products' ? dest.products : dest.categories;
  const { gone, problems } = batch;
  const known = ctx.store.documents.hashes(dest.gen, kind, [...batch.docs.map((d) => String(d.id)), ...gone]);
  const changed: Changed[] = [];
  for (const doc of batch.docs) {
    const hash = documentHash(doc);
    if (known.get(String(doc.id)) !== hash) changed.push({ doc, hash });
    else if (kind === 'products') summary.unchanged++;
  }
  const sending = sendChanged(ctx, target, changed);
  const deleted = gone.filter((id) => known.has(id)).length;
  return settleDocuments(ctx, dest.gen, target, sending, gone, deleted, ids, summary, problems);
}

async function settleDocuments(
  ctx: RunContext,
  gen: number,
  target: Target,
  sending: Sending,
  gone: readonly string[],
  deleted: number,
  ids: readonly number[],
  summary: RunSummary,
  problems: readonly Problem[],
): Promise<void> {
  const { kind } = target;
  // The write is under way; the delete goes beside it. Both settle before the batch does, failed or
  // not: nothing of a failed batch may still be in flight (a client's retry landing later) when the
  // next run writes the same ids. A failure of either fails the batch.
  const deleting = gone.length ? ctx.sink.delete(target, gone) : Promise.resolve();
  await Promise.allSettled([sending.rejections, deleting]);
  await deleting;
  await recordSent(ctx, gen, target, sending, summary, {
    problems,
    alsoInTransaction: () => {
      if (kind === 'products') summary.deleted += deleted;
      for (const id of gone) ctx.store.documents.deleteHash(gen, kind, id);
      ctx.store.documents.clearPending(gen, kind, ids);
    },
  });
  if (problems.length)
    ctx.log.warn({ kind, rejected: problems.length, first: { id: problems[0].id, reason: problems[0].reason } }, 'documents the transform could not render');
}

/** A document to write, with its content hash. */
export interface Changed {
  doc: SinkDocument;
  hash: string;
}

/** A write handed to the sink: what it answers, and the ids and hashes sent (the documents themselves are the sink's now). */
interface Sending {
  rejections: Promise<Rejection[]>;
  sent: { id: string; hash: string }[];
}

function sendChanged(ctx: RunContext, target: Target, changed: readonly Changed[]): Sending {
  const rejections = changed.length
    ? ctx.sink.write(
        target,
        changed.map((c) => c.doc),
      )
    : Promise.resolve([]);
  // Awaited in recordSent; handled here so a failure while a delete is awaited is not unhandled.
  rejections.catch(() => undefined);
  return { rejections, sent: changed.map((c) => ({ id: String(c.doc.id), hash: c.hash })) };
}

/**
 * Writes changed documents into `target`, the one way every path does (a run's, reconcile's
 * repair): documents the sink refuses, and the `problems` the transform could not render, are
 * quarantined with their reason and their hashes forgotten (so each is written again once it
 * changes); every other document's hash is recorded, it leaves the quarantine, and it is counted
 * as written. The bookkeeping, and `alsoInTransaction`, commit in one state transaction after the
 * write. Returns the ids written.
 */
export function writeChanged(
  ctx: RunContext,
  gen: number,
  target: Target,
  changed: readonly Changed[],
  summary: RunSummary,
  opts: { problems?: readonly Problem[]; alsoInTransaction?: () => void } = {},
): Promise<Set<string>> {
  return recordSent(ctx, gen, target, sendChanged(ctx, target, changed), summary, opts);
}

async function recordSent(
  ctx: RunContext,
  gen: number,
  target: Target,
  sending: Sending,
  summary: RunSummary,
  opts: { problems?: readonly Problem[]; alsoInTransaction?: () => void },
): Promise<Set<string>> {
  const { kind } = target;
  const rejections = await sending.rejections;
  const refused = new Map((opts.problems ?? []).map((p) => [p.id, p]));
  for (const r of rejections) refused.set(r.id, r);
  const written = new Set<string>();
  ctx.store.tx(() => {
    quarantineRefused(ctx, gen, kind, refused.values(), summary);
    for (const { id, hash } of sending.sent) {
      if (refused.has(id)) continue;
      ctx.store.documents.setHash(gen, kind, id, hash);
      ctx.store.quarantine.release(documentsResource(kind), id);
      written.add(id);
      if (kind === 'products') summary.written++;
      else summary.categoriesWritten++;
    }
    opts.alsoInTransaction?.();
  });
  if (rejections.length)
    ctx.log.warn({ kind, rejected: rejections.length, first: { id: rejections[0].id, reason: rejections[0].reason } }, 'documents rejected by the sink');
  return written;
}

/**
 * Documents refused (by the sink, or by the transform): each quarantined with its reason, and its
 * hash forgotten so that it is written again once it changes. Every path that writes documents (a
 * run's, reconcile's repair) keeps refusals this one way. Call inside a state transaction.
 */
export function quarantineRefused(ctx: RunContext, gen: number, kind: IndexKind, refused: Iterable<Problem>, summary: { rejected: number }): void {
  for (const r of refused) {
    ctx.store.documents.deleteHash(gen, kind, r.id);
    ctx.store.quarantine.add({ resource: documentsResource(kind), key: r.id, reason: r.reason, raw: r.raw });
    summary.rejected++;
  }
}

/** Writes every document pending in `dest`'s generation into it, a batch at a time. */
export async function drainPending(ctx: RunContext, dest: Destination, summary: RunSummary): Promise<void> {
  const tree = loadCategoryTree(ctx.store);
  for (const kind of ['products', 'categories'] as const) {
    let after = 0;
    for (;;) {
      await batchBoundary(ctx);
      const ids = ctx.store.documents.pendingBatch(dest.gen, kind, after, ctx.config.BATCH_SIZE);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      if (kind === 'products') await writeProducts(ctx, dest, ids, tree, summary);
      else await writeCategories(ctx, dest, ids, tree, summary);
    }
  }
}

/** How documents are built under this configuration. */
export function buildOptions(config: Config): BuildOptions {
  return { priceType: config.PRICE_TYPE, currency: config.CURRENCY, pathStep: config.CATEGORY_PATH_STEP };
}
