import type { CategoryNode, ProductPrice } from '../source/schemas';
import { canonicalInstant } from '../source/instant';
import { chainOf, nodeUrl } from './tree';
import { sortKeys, urlsByLanguage } from './urls';
import type { BuildOptions, CategoryTree, PriceEntry, ProductDocument, ProductInput } from './types';

/** Contract-v1 product document (docs/CONTRACT.md §3) from one product and what is joined to it. */
export function buildProductDocument(input: ProductInput, tree: CategoryTree, opts: BuildOptions): ProductDocument {
  const { product } = input;
  const chosen = choosePrice(input.prices, opts);
  const images = input.images
    .filter((img) => img.status === 'active')
    .sort((a, b) => a.order - b.order || a.id - b.id)
    .map((img) => ({ id: img.id, url: img.image, width: img.width, height: img.height, order: img.order }));
  const urls = urlsByLanguage(input.prettyUrl, input.urlTranslations);
  const linked = input.linkedCategoryIds
    .map((id) => tree.byId.get(id))
    .filter((n): n is CategoryNode => n !== undefined)
    .sort((a, b) => compareText(a.path, b.path) || a.id - b.id);
  const linkedUnique = linked.filter((n, i) => i === 0 || linked[i - 1].id !== n.id);
  const chains = linkedUnique.map((node) => chainOf(node, tree, opts.pathStep));
  const categoryIds = [...new Set(chains.flat().map((n) => n.id))].sort((a, b) => a - b);

  return {
    id: String(product.id),
    product_id: product.id,
    name: product.name,
    sku: product.sku,
    base_code: product.base_code,
    uuid: product.uuid,
    product_type: product.product_type,
    is_active: product.is_active,
    is_listable: product.is_listable,
    parent_id: product.parent,
    attribute_set_id: product.attribute_set,
    attributes: product.attributes,
    attribute_labels: attributeLabels(product.attributes, product.attributes_kwargs),
    localized: localized(product.localized_attributes, urls),
    price: chosen?.price ?? null,
    retail_price: chosen?.retail_price ?? null,
    tax_rate: chosen?.tax_rate ?? null,
    currency: chosen?.currency_type ?? null,
    discount_percentage: discount(chosen?.price ?? null, chosen?.retail_price ?? null),
    prices: priceEntries(input.prices),
    images,
    image: images[0]?.url ?? null,
    url: input.prettyUrl?.new_path ?? null,
    urls,
    categories: linkedUnique.map((n) => ({ id: n.id, name: n.name, path: n.path, depth: n.depth, url: nodeUrl(n, tree) })),
    category_ids: categoryIds,
    category_names: categoryIds.map((id) => tree.byId.get(id)!.name),
    breadcrumbs: chains.map((chain) => chain.map((n) => n.name)),
    variants: [...input.variants]
      .sort((a, b) => a.product.id - b.product.id)
      .map((v) => ({
        id: v.product.id,
        sku: v.product.sku,
        name: v.product.name,
        is_active: v.product.is_active,
        attributes: v.product.attributes,
        price: choosePrice(v.prices, opts)?.price ?? null,
      })),
    created_date: product.created_date,
    modified_date: latestModified(input, linkedUnique, tree, opts.pathStep),
  };
}

/**
 * The price row of PRICE_TYPE (and CURRENCY when set, case-insensitive); the lowest id wins
 * among several. With CURRENCY set and no row in it, there is no price: a storefront showing
 * one currency must not show another's figure.
 */
export function choosePrice(prices: readonly ProductPrice[], opts: BuildOptions): ProductPrice | null {
  const currency = opts.currency?.toLowerCase();
  let best: ProductPrice | null = null;
  for (const p of prices) {
    if (p.price_type !== opts.priceType) continue;
    if (currency !== undefined && p.currency_type.toLowerCase() !== currency) continue;
    if (!best || p.id < best.id) best = p;
  }
  return best;
}

export function discount(price: number | null, retail: number | null): number {
  if (price === null || retail === null || !(retail > price && price > 0)) return 0;
  return Math.round(((100 * (retail - price)) / retail + Number.EPSILON) * 100) / 100;
}

function priceEntries(prices: readonly ProductPrice[]): PriceEntry[] {
  return [...prices]
    .sort((a, b) => compareText(a.price_type, b.price_type) || compareText(a.currency_type, b.currency_type) || a.id - b.id)
    .map((p) => ({ price_type: p.price_type, currency: p.currency_type, price: p.price, retail_price: p.retail_price, tax_rate: p.tax_rate }));
}

/** Label of each attribute: attributes_kwargs[key].label when given, else the value as text. */
export function attributeLabels(attributes: Record<string, unknown>, kwargs: Record<string, unknown>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const label = (kwargs[key] as { label?: unknown } | null | undefined)?.label;
    if (label !== undefined && label !== null) out[key] = typeof label === 'string' ? label : valueText(label);
    else out[key] = valueText(value);
  }
  return out;
}

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? null;
}

function localized(attrs: Record<string, Record<string, unknown> | null>, urls: Record<string, string>): ProductDocument['localized'] {
  const out: ProductDocument['localized'] = {};
  for (const lang of new Set([...Object.keys(attrs), ...Object.keys(urls)])) {
    out[lang] = { attributes: attrs[lang] ?? {}, url: urls[lang] ?? null };
  }
  return sortKeys(out);
}

function latestModified(input: ProductInput, linked: CategoryNode[], tree: CategoryTree, step: number): string {
  const candidates: string[] = [
    input.product.modified_date,
    ...input.prices.map((p) => p.modified_date),
    ...input.images.map((i) => i.modified_date),
    ...(input.prettyUrl ? [input.prettyUrl.modified_date] : []),
    ...input.urlTranslations.map((u) => u.modified_date),
    ...linked.flatMap((n) => chainOf(n, tree, step).map((c) => c.modified_date)),
    ...input.variants.map((v) => v.product.modified_date),
  ];
  let best = candidates[0];
  let bestKey = canonicalInstant(best) ?? '';
  for (const c of candidates.slice(1)) {
    const key = canonicalInstant(c) ?? '';
    if (key > bestKey) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

/** Code-point order: the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
