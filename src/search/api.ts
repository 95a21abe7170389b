import type { SearchProfile } from '../profile/schema';
import { anyOf, live, within, type Filter, type SearchQuery, type SearchResult, type ServedIndex, type SinkDocument } from '../sink/types';
import { valueAt } from '../sink/values';
import { CategoryDirectory, type CategoryEntry } from './categories';
import { explainable } from './explain';
import { LabelDirectory } from './labels';
import { parseSearch, sortersOf, type SearchRequest, type Sorter } from './params';
import { bucketsOf, defaultBoundaries, type PriceBucket } from './price-buckets';
import { attributeOf, widgetName, widgetsOf, type Widget } from './widgets';

/*
 * The storefront search: one query plan (`listing`) over every sink, answered in two dialects that
 * differ only in parameter names and serialization — our own `/search` (docs/SEARCH-API.md), and
 * Akinon Commerce's `/list/`, `/category/{pk}/` and `/autocomplete/` (./commerce.ts), which a
 * Project Zero storefront calls unchanged. Everything here works through the sink seam (`search`,
 * and `scan` of the categories index); no engine is named.
 */

export interface Choice {
  label: string;
  value: string;
  quantity: number;
  is_selected: boolean;
}

/** A counted choice: a category's carries its node. */
export interface ChoiceView extends Choice {
  node?: CategoryEntry;
}

/** A widget, counted over the matches of a listing. */
export interface FacetView {
  widget: Widget;
  /** The widget's name in the asked language. */
  name: string;
  /** `buckets` for a price facet of fixed choices (the Commerce routes), else the widget's own type. */
  type: Widget['type'] | 'buckets';
  choices: ChoiceView[];
  /** Range widgets: the lowest and highest value among the matches (without this widget's own bounds), and the bounds chosen. */
  range?: { min: number | null; max: number | null; selected_min: number | null; selected_max: number | null };
}

/** One page of a listing, with every widget counted. */
export interface Listing {
  req: SearchRequest;
  total: number;
  hits: SinkDocument[];
  facets: FacetView[];
  sorters: Sorter[];
}

/** How a listing offers price: a slider (`/search`), or fixed buckets a shopper clicks (the Commerce routes). */
export type PriceMode = 'range' | 'buckets';

export interface Facet {
  name: string;
  key: string;
  search_key: string;
  widget_type: 'category' | 'multiselect' | 'range';
  choices: Choice[];
  /** Range widgets: the lowest and highest value among the matches (without this widget's own bounds), and the bounds chosen. */
  data?: { min: number | null; max: number | null; selected_min: number | null; selected_max: number | null };
}

export interface SearchResponse {
  search_text: string;
  pagination: { current_page: number; num_pages: number; page_size: number; total_count: number };
  facets: Facet[];
  sorters: { label: string; value: string; is_selected: boolean }[];
  products: Record<string, unknown>[];
}

/** No live index yet: the search routes answer 503 until the first rebuild swaps one in. */
export class NotLive extends Error {
  constructor() {
    super('search is not available yet: the first index is being built');
    this.name = 'NotLive';
  }
}

/** Values counted per facet (the most the sinks count): enough for a category's children and a facet's choices. */
const FACET_VALUES = 100;
/** How long the catalog's price scale (the default price buckets) is kept before it is read again. */
const PRICE_SCALE_TTL_MS = 60_000;

export class SearchApi {
  readonly widgets: Widget[];
  readonly sorters: Sorter[];
  readonly categories: CategoryDirectory;
  readonly labels: LabelDirectory;
  /** The price widget (a profile range facet on `price`, or the one always offered). */
  readonly priceWidget: Widget;
  private isLive = false;
  private liveCheckedAt = -Infinity;
  private liveCheck: Promise<boolean> | null = null;
  private priceScale: { boundaries: number[]; at: number } | null = null;
  /** Whether the public products index exists (the sink's `exists`). */
  private readonly hasLiveIndex: () => Promise<boolean>;

  /** The index, its searches recorded while a request is explained (./explain.ts). */
  private readonly sink: ServedIndex;

  constructor(
    index: ServedIndex,
    readonly profile: SearchProfile,
    opts: { categoryTtlMs?: number; hasLiveIndex?: () => Promise<boolean> } = {},
  ) {
    const sink = explainable(index);
    this.sink = sink;
    this.hasLiveIndex = opts.hasLiveIndex ?? (async () => true);
    this.widgets = widgetsOf(profile);
    this.sorters = sortersOf(profile);
    this.categories = new CategoryDirectory(sink, opts.categoryTtlMs);
    this.labels = new LabelDirectory(sink);
    this.priceWidget = this.widgets.find((w) => w.type === 'range' && w.field === 'price')!;
  }

  /** A run has finished: the category tree and the price scale may have changed. */
  invalidate(): void {
    this.categories.invalidate();
    this.priceScale = null;
    this.liveCheckedAt = -Infinity;
  }

  /**
   * Throws NotLive until the public index exists. Once seen it stays live (an index is only ever
   * replaced); before that it is asked at most once a second, so a storefront polling a fresh
   * feeder costs the engine nothing.
   */
  async assertLive(): Promise<void> {
    if (this.isLive) return;
    // Requests arriving while the index is asked wait for that answer; after a "no", the next second's are refused at once.
    if (!this.liveCheck) {
      if (Date.now() - this.liveCheckedAt < 1000) throw new NotLive();
      this.liveCheckedAt = Date.now();
      this.liveCheck = this.hasLiveIndex().finally(() => (this.liveCheck = null));
    }
    this.isLive = await this.liveCheck;
    if (!this.isLive) throw new NotLive();
  }

  /** GET /search. Throws BadRequest for a bad parameter. */
  async search(params: URLSearchParams): Promise<SearchResponse> {
    await this.assertLive();
    const req = parseSearch(params, this.profile, this.widgets, this.sorters);
    const listing = await this.listing(req, 'range');
    return {
      search_text: req.text,
      pagination: pagination(req, listing.total),
      facets: listing.facets.map((f) => ({
        name: f.name,
        key: f.widget.key,
        search_key: f.widget.key,
        widget_type: f.widget.type,
        choices: f.choices.map(({ label, value, quantity, is_selected }) => ({ label, value, quantity, is_selected })),
        ...(f.range ? { data: f.range } : {}),
      })),
      sorters: this.sorters.map((s) => ({ label: s.label, value: s.value, is_selected: s === req.sorter })),
      products: listing.hits.map((doc) => this.project(doc)),
    };
  }

  /**
   * The one query plan: the page, with every widget counted over the matches. A widget with a
   * choice made is counted again without its own choice, so its other values keep their counts:
   * selecting M must not make L disappear. With `buckets`, only priced products are listed (a
   * storefront cannot sell the others) and price is counted by the profile's fixed buckets.
   */
  async listing(req: SearchRequest, mode: PriceMode): Promise<Listing> {
    // What a storefront can sell: active, listed on its own (not a variant), and priced.
    const storefront = mode === 'buckets' ? { isActive: true, isListable: true } : { isActive: req.isActive };
    const base: SearchQuery = { text: req.text || undefined, locale: req.locale, ...storefront };
    const price = this.priceWidget;
    // The page's category and the one chosen on it both hold; a widget's own choice is dropped to count its values.
    const categories = [req.scope, req.categoryId].flatMap((id) => (id === undefined ? [] : [anyOf('category_ids', [id])]));
    const chosenFilters = new Map<string, Filter>([
      ...[...req.selected].map(([key, values]): [string, Filter] => [this.widget(key).facet, anyOf(this.widget(key).facet, values)]),
      ...[...req.bounds].map(([key, b]): [string, Filter] => [this.widget(key).facet, within(this.widget(key).facet, b)]),
    ]);
    const priced = within(price.facet, { min: 0 });
    if (mode === 'buckets')
      chosenFilters.set(
        price.facet,
        req.priceChoices.length
          ? within(
              price.facet,
              req.priceChoices.map((c) => c.bounds),
            )
          : priced,
      );
    const filtersBut = (facet: string | null): Filter[] => [...categories, ...[...chosenFilters].filter(([f]) => f !== facet).map(([, c]) => c)];
    const buckets = mode === 'buckets' ? await this.priceBuckets(req.priceChoices) : [];
    const bucketQuery = { [price.facet]: buckets.map((b) => b.bounds) };
    const counted = (w: Widget) => (mode === 'buckets' ? w.type !== 'range' || w === price : true);
    const chosen = (w: Widget) => req.selected.has(w.key) || req.bounds.has(w.key) || (mode === 'buckets' && w === price && req.priceChoices.length > 0);
    const byBuckets = (w: Widget) => mode === 'buckets' && w === price;
    const main = this.sink.search({
      ...base,
      filters: filtersBut(null),
      sort: req.sorter.sort,
      limit: req.pageSize,
      offset: (req.page - 1) * req.pageSize,
      facets: this.widgets.filter((w) => counted(w) && w.type !== 'range' && !chosen(w)).map((w) => w.facet),
      stats: this.widgets.filter((w) => counted(w) && w.type === 'range' && !byBuckets(w) && !chosen(w)).map((w) => w.facet),
      ...(byBuckets(price) && !chosen(price) ? { buckets: bucketQuery } : {}),
      facetSize: FACET_VALUES,
    });
    const own = this.widgets
      .filter((w) => counted(w) && chosen(w))
      .map(async (w): Promise<[string, SearchResult]> => {
        const q: SearchQuery = {
          ...base,
          filters: [...filtersBut(w.facet), ...(w === price && mode === 'buckets' ? [priced] : [])],
          limit: 0,
        };
        const counting: SearchQuery = byBuckets(w)
          ? { ...q, buckets: bucketQuery }
          : w.type === 'range'
            ? { ...q, stats: [w.facet] }
            : { ...q, facets: [w.facet], facetSize: FACET_VALUES };
        return [w.key, await this.sink.search(counting)];
      });
    const [result, ownCounts, tree] = await Promise.all([main, Promise.all(own), this.categories.all()]);
    const counts = new Map(ownCounts);
    const facets = await Promise.all(
      this.widgets.filter(counted).map((w) => this.facet(w, req, counts.get(w.key) ?? result, result.total, tree, byBuckets(w) ? buckets : null)),
    );
    return { req, total: result.total, hits: result.hits, facets, sorters: this.sorters };
  }

  /** Up to `limit` products and categories for what has been typed so far (the hits only: nothing is counted). */
  async suggest(
    text: string,
    locale: string | undefined,
    limit: number,
    storefront: boolean,
  ): Promise<{ products: SinkDocument[]; categories: CategoryEntry[] }> {
    const [result, categories] = await Promise.all([
      this.sink.search({
        text,
        locale,
        limit,
        countAll: false,
        ...(storefront ? { isActive: true, isListable: true, filters: [within(this.priceWidget.facet, { min: 0 })] } : {}),
      }),
      this.categories.suggest(text, limit),
    ]);
    return { products: result.hits, categories };
  }

  /** The live category node `id`, or null. */
  async category(id: number): Promise<CategoryEntry | null> {
    return (await this.categories.all()).get(id) ?? null;
  }

  /** A category's document as indexed (its uuid and attributes), or null. */
  async categoryDocument(id: number): Promise<SinkDocument | null> {
    return (await this.sink.get(live(this.sink, 'categories'), [String(id)])).get(String(id)) ?? null;
  }

  private widget(key: string): Widget {
    return this.widgets.find((w) => w.key === key)!;
  }

  /** The price buckets of the profile, or derived from the catalog's highest price; a chosen range that is none of them is listed too. */
  private async priceBuckets(chosen: readonly PriceBucket[]): Promise<PriceBucket[]> {
    const configured = this.profile.response?.priceBuckets;
    let boundaries = configured;
    if (!boundaries) {
      if (!this.priceScale || Date.now() - this.priceScale.at > PRICE_SCALE_TTL_MS) {
        const facet = this.priceWidget.facet;
        const r = await this.sink.search({ limit: 0, stats: [facet], countAll: false });
        this.priceScale = { boundaries: defaultBoundaries(r.ranges?.[facet]?.max ?? null), at: Date.now() };
      }
      boundaries = this.priceScale.boundaries;
    }
    const buckets = bucketsOf(boundaries);
    for (const c of chosen) if (!buckets.some((b) => b.value === c.value)) buckets.push(c);
    return buckets;
  }

  private async facet(
    w: Widget,
    req: SearchRequest,
    result: SearchResult,
    matches: number,
    tree: Map<number, CategoryEntry>,
    buckets: PriceBucket[] | null,
  ): Promise<FacetView> {
    const head = { widget: w, name: widgetName(w, req.language ?? req.locale) };
    if (buckets) {
      const counts = result.buckets?.[w.facet] ?? [];
      const selected = new Set(req.priceChoices.map((c) => c.value));
      const choices = buckets
        .map((b, i) => ({ label: b.label, value: b.value, quantity: counts[i] ?? 0, is_selected: selected.has(b.value) }))
        // An empty bucket is no choice, unless it is chosen (the shopper must be able to take it back).
        .filter((c) => c.quantity > 0 || c.is_selected);
      return { ...head, type: 'buckets', choices };
    }
    if (w.type === 'range') {
      const r = result.ranges?.[w.facet] ?? { min: null, max: null };
      const b = req.bounds.get(w.key);
      const chosen = b
        ? [{ label: `${b.min ?? ''} - ${b.max ?? ''}`.trim(), value: `${b.min ?? ''}-${b.max ?? ''}`, quantity: matches, is_selected: true }]
        : [];
      return { ...head, type: 'range', choices: chosen, range: { min: r.min, max: r.max, selected_min: b?.min ?? null, selected_max: b?.max ?? null } };
    }
    const counts = result.facets?.[w.facet] ?? [];
    if (w.type === 'category') return { ...head, type: 'category', choices: categoryChoices(counts, req.categoryId, matches, tree) };
    const chosen = req.selected.get(w.key) ?? [];
    const values = [...counts.map((c) => c.value), ...chosen.filter((v) => !counts.some((c) => c.value === v))];
    const attribute = attributeOf(w.field);
    const labels = attribute ? await this.labels.labels(w.facet, attribute, values) : new Map<string, string>();
    const choices: ChoiceView[] = counts.map((c) => ({
      label: labels.get(c.value) ?? c.value,
      value: c.value,
      quantity: c.count,
      is_selected: chosen.includes(c.value),
    }));
    // A chosen value without matches stays listed, so the storefront can show it and take it back.
    for (const v of chosen) if (!counts.some((c) => c.value === v)) choices.push({ label: labels.get(v) ?? v, value: v, quantity: 0, is_selected: true });
    return { ...head, type: 'multiselect', choices };
  }

  /** The document as the profile's `response.fields` projects it (always with `id`), or whole. */
  private project(doc: SinkDocument): Record<string, unknown> {
    const fields = this.profile.response?.fields;
    if (!fields) return doc;
    const out: Record<string, unknown> = { id: doc.id };
    for (const field of fields) {
      const parts = field.split('.');
      const value = valueAt(doc, field);
      if (value === undefined) continue;
      let into = out;
      for (const part of parts.slice(0, -1)) into = (into[part] ??= {}) as Record<string, unknown>;
      into[parts[parts.length - 1]] = value;
    }
    return out;
  }
}

export function pagination(req: SearchRequest, total: number): SearchResponse['pagination'] {
  return { current_page: req.page, num_pages: Math.ceil(total / req.pageSize), page_size: req.pageSize, total_count: total };
}

/**
 * The category widget's choices. With a category chosen: it (selected) and its children that hold
 * matches. Without: the top of the tree, descending while one node holds every match (a catalog's
 * single root, then its only department), so the first choices a shopper sees are useful ones.
 */
function categoryChoices(
  counts: { value: string; count: number }[],
  chosen: number | undefined,
  matches: number,
  tree: Map<number, CategoryEntry>,
): ChoiceView[] {
  const quantity = new Map(counts.map((c) => [Number(c.value), c.count]));
  const choice = (c: CategoryEntry, selected: boolean): ChoiceView => ({
    label: c.name,
    value: String(c.id),
    quantity: quantity.get(c.id) ?? 0,
    is_selected: selected,
    node: c,
  });
  const childrenOf = (parent: number | null) =>
    [...quantity.keys()]
      .map((id) => tree.get(id))
      .filter((c): c is CategoryEntry => c !== undefined && (parent === null ? c.parentId === null || !tree.has(c.parentId) : c.parentId === parent))
      .sort((a, b) => (quantity.get(b.id) ?? 0) - (quantity.get(a.id) ?? 0) || a.name.localeCompare(b.name, 'tr') || a.id - b.id);
  if (chosen !== undefined) {
    const node = tree.get(chosen);
    return node ? [choice(node, true), ...childrenOf(chosen).map((c) => choice(c, false))] : [];
  }
  let level = childrenOf(null);
  for (let guard = 0; level.length === 1 && quantity.get(level[0].id) === matches && guard < 32; guard++) {
    const below = childrenOf(level[0].id);
    if (below.length === 0) break;
    level = below;
  }
  return level.map((c) => choice(c, false));
}
