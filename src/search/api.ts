import type { SearchProfile } from '../profile/schema';
import type { IndexReader, IndexSearcher, SearchQuery, SearchResult, SinkDocument } from '../sink/types';
import { CategoryDirectory, type CategoryEntry } from './categories';
import { parseAutocomplete, parseSearch, sortersOf, type SearchRequest, type Sorter } from './params';
import { widgetName, widgetsOf, type Widget } from './widgets';

/*
 * The storefront search API (docs/SEARCH-API.md): one request shape and one response shape over
 * every sink, modelled on Akinon Commerce's product search. Everything here works through the sink
 * seam (`search`, and `scan` of the categories index); no engine is named.
 */

export interface Choice {
  label: string;
  value: string;
  quantity: number;
  is_selected: boolean;
}

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

export interface AutocompleteResponse {
  search_text: string;
  products: { id: string; name: string | null; url: string | null; image: string | null; price: number | null; currency: string | null }[];
  categories: { id: number; label: string; url: string | null; path: string[] }[];
}

/** Values counted per facet (the most the sinks count): enough for a category's children and a facet's choices. */
const FACET_VALUES = 100;

/** A record without one key. */
function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

export class SearchApi {
  readonly widgets: Widget[];
  readonly sorters: Sorter[];
  readonly categories: CategoryDirectory;

  constructor(
    private readonly sink: IndexSearcher & IndexReader & { readonly indexName: string },
    private readonly profile: SearchProfile,
    opts: { categoryTtlMs?: number } = {},
  ) {
    this.widgets = widgetsOf(profile);
    this.sorters = sortersOf(profile);
    this.categories = new CategoryDirectory(sink, opts.categoryTtlMs);
  }

  /** GET /search. Throws BadRequest for a bad parameter. */
  async search(params: URLSearchParams): Promise<SearchResponse> {
    const req = parseSearch(params, this.profile, this.widgets, this.sorters);
    const base = this.baseQuery(req);
    const filters = Object.fromEntries([...req.selected].map(([key, values]) => [this.widget(key).facet, values]));
    const ranges = Object.fromEntries([...req.bounds].map(([key, b]) => [this.widget(key).facet, b]));
    // The page, with every facet counted over the matches. A widget with a choice made is counted
    // again without its own choice (below), so its other values keep their counts: selecting M
    // must not make L disappear.
    const main = this.sink.search({
      ...base,
      filters,
      ranges,
      sort: req.sorter.sort,
      limit: req.pageSize,
      offset: (req.page - 1) * req.pageSize,
      facets: this.widgets.filter((w) => w.type !== 'range' && !req.selected.has(w.key)).map((w) => w.facet),
      stats: this.widgets.filter((w) => w.type === 'range' && !req.bounds.has(w.key)).map((w) => w.facet),
      facetSize: FACET_VALUES,
    });
    const own = this.widgets
      .filter((w) => req.selected.has(w.key) || req.bounds.has(w.key))
      .map(async (w): Promise<[string, SearchResult]> => {
        const q: SearchQuery = { ...base, filters: without(filters, w.facet), ranges: without(ranges, w.facet), limit: 0 };
        return [w.key, await this.sink.search(w.type === 'range' ? { ...q, stats: [w.facet] } : { ...q, facets: [w.facet], facetSize: FACET_VALUES })];
      });
    const [result, ownCounts, tree] = await Promise.all([main, Promise.all(own), this.categories.all()]);
    const counted = new Map(ownCounts);
    const facets = this.widgets.map((w) => this.facet(w, req, counted.get(w.key) ?? result, result.total, tree));
    return {
      search_text: req.text,
      pagination: { current_page: req.page, num_pages: Math.ceil(result.total / req.pageSize), page_size: req.pageSize, total_count: result.total },
      facets,
      sorters: this.sorters.map((s) => ({ label: s.label, value: s.value, is_selected: s === req.sorter })),
      products: result.hits.map((doc) => this.project(doc)),
    };
  }

  /** GET /autocomplete: the top products and categories for what has been typed so far. */
  async autocomplete(params: URLSearchParams): Promise<AutocompleteResponse> {
    const req = parseAutocomplete(params, this.profile);
    if (!req.text) return { search_text: '', products: [], categories: [] };
    const [result, categories] = await Promise.all([
      this.sink.search({ text: req.text, locale: req.locale, limit: req.limit, countAll: false }),
      this.categories.suggest(req.text, req.limit),
    ]);
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      search_text: req.text,
      products: result.hits.map((d) => ({
        id: String(d.id),
        name: str(d.name),
        url: str(d.url),
        image: str(d.image),
        price: typeof d.price === 'number' ? d.price : null,
        currency: str(d.currency),
      })),
      categories: categories.map((c) => ({ id: c.id, label: c.name, url: c.url, path: c.path })),
    };
  }

  private baseQuery(req: SearchRequest): SearchQuery {
    return { text: req.text || undefined, locale: req.locale, categoryId: req.categoryId, isActive: req.isActive };
  }

  private widget(key: string): Widget {
    return this.widgets.find((w) => w.key === key)!;
  }

  private facet(w: Widget, req: SearchRequest, result: SearchResult, matches: number, tree: Map<number, CategoryEntry>): Facet {
    const head = { name: widgetName(w, req.locale), key: w.key, search_key: w.key, widget_type: w.type };
    if (w.type === 'range') {
      const r = result.ranges?.[w.facet] ?? { min: null, max: null };
      const b = req.bounds.get(w.key);
      const chosen = b
        ? [{ label: `${b.min ?? ''} - ${b.max ?? ''}`.trim(), value: `${b.min ?? ''}-${b.max ?? ''}`, quantity: matches, is_selected: true }]
        : [];
      return { ...head, choices: chosen, data: { min: r.min, max: r.max, selected_min: b?.min ?? null, selected_max: b?.max ?? null } };
    }
    const counts = result.facets?.[w.facet] ?? [];
    if (w.type === 'category') return { ...head, choices: categoryChoices(counts, req.categoryId, matches, tree) };
    const chosen = req.selected.get(w.key) ?? [];
    const choices: Choice[] = counts.map((c) => ({ label: c.value, value: c.value, quantity: c.count, is_selected: chosen.includes(c.value) }));
    // A chosen value without matches stays listed, so the storefront can show it and take it back.
    for (const v of chosen) if (!counts.some((c) => c.value === v)) choices.push({ label: v, value: v, quantity: 0, is_selected: true });
    return { ...head, choices };
  }

  /** The document as the profile's `response.fields` projects it (always with `id`), or whole. */
  private project(doc: SinkDocument): Record<string, unknown> {
    const fields = this.profile.response?.fields;
    if (!fields) return doc;
    const out: Record<string, unknown> = { id: doc.id };
    for (const field of fields) {
      const parts = field.split('.');
      let value: unknown = doc;
      for (const part of parts) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
      if (value === undefined) continue;
      let into = out;
      for (const part of parts.slice(0, -1)) into = (into[part] ??= {}) as Record<string, unknown>;
      into[parts[parts.length - 1]] = value;
    }
    return out;
  }
}

/**
 * The category widget's choices. With a category chosen: it (selected) and its children that hold
 * matches. Without: the top of the tree, descending while one node holds every match (a catalog's
 * single root, then its only department), so the first choices a shopper sees are useful ones.
 */
function categoryChoices(counts: { value: string; count: number }[], chosen: number | undefined, matches: number, tree: Map<number, CategoryEntry>): Choice[] {
  const quantity = new Map(counts.map((c) => [Number(c.value), c.count]));
  const choice = (c: CategoryEntry, selected: boolean): Choice => ({
    label: c.name,
    value: String(c.id),
    quantity: quantity.get(c.id) ?? 0,
    is_selected: selected,
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
