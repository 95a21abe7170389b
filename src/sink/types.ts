/*
 * The sink seam. A sink knows the document contract (docs/CONTRACT.md §3) and nothing of Akinon:
 * it stores documents keyed by `id`, keeps physical indexes behind a public name, and answers
 * the storefront-style query the CLI offers.
 */

export type IndexKind = 'products' | 'categories';

/** A document as the sink sees it: the contract fields, keyed by `id`. */
export type SinkDocument = { id: string | number } & Record<string, unknown>;

/** Where writes go: the public name (incremental) or a physical index being built (rebuild). */
export interface Target {
  kind: IndexKind;
  name: string;
}

/** What a live index remembers of how it was built. */
export interface IndexStamp {
  /** The catalog it was built from (URL and channel, or the sandbox). */
  source: string;
  /** The fingerprint of the search profile and transform it was built with; null when built before profiles existed (the built-in profile). */
  profile: string | null;
}

/** A document the sink refused: its id, the engine's reason, and the document as the sink was given it (quarantined with the reason). */
export interface Rejection {
  id: string;
  reason: string;
  raw: unknown;
}

export interface SearchQuery {
  text?: string;
  isActive?: boolean;
  /** Only products a storefront lists on their own (`is_listable`): not variants sold through their parent. */
  isListable?: boolean;
  /**
   * Filters, every one required (docs/CONTRACT.md §5). One facet may appear in several clauses: a
   * category page keeps its own node and ANDs the node a shopper chose.
   */
  filters?: readonly Filter[];
  /**
   * Per numeric facet, buckets to count the matches of (a document counts in each bucket one of
   * its values falls in), reported in `buckets` in the same order: the storefront's price choices.
   * A facet's own range filter applies to its counts like any other filter.
   */
  buckets?: Record<string, readonly Bounds[]>;
  /**
   * `relevance` (the default), or a sortable field, ascending, with `-` for descending (`price`,
   * `-created_date`). Ties are broken by ascending product id, so pages neither repeat nor skip.
   */
  sort?: string;
  limit?: number;
  /** Matches to skip before the first hit (pagination); `limit` + `offset` stay within 10,000. */
  offset?: number;
  /**
   * `false` when the caller needs the hits only (autocomplete): an engine may skip counting every
   * match, and `total` is then at least the hits returned.
   */
  countAll?: boolean;
  /**
   * Report the requests the engine was sent for this search (`SearchResult.explain`): the console's
   * explain switch. Never answered from a result cache.
   */
  explain?: boolean;
  /**
   * Facets to count over all matching documents: a profile facet's key, a declared field, a field
   * path, or an attribute key (`size` counts `attributes.size`).
   */
  facets?: string[];
  /**
   * Numeric fields (facet names, as above) to report the lowest and highest value of among the
   * matches, as range facets of the profile are: the storefront's price slider.
   */
  stats?: string[];
  /** Values returned per counted facet, most frequent first (default 50, at most 100). */
  facetSize?: number;
  /** A profile locale: that language's fields are searched too (`i18n.<locale>`). */
  locale?: string;
}

/**
 * One filter clause on a facet (named as `facets` names them): the values a document must have one
 * of, compared as the facet counts them (text); or bounds its value must fall in one of (a range
 * facet, such as the storefront's price buckets).
 */
export type Filter = { facet: string; values: readonly string[] } | { facet: string; bounds: readonly Bounds[] };

/** A clause matching documents with any of `values` for `facet`. */
export function anyOf(facet: string, values: readonly (string | number)[]): Filter {
  return { facet, values: values.map(String) };
}

/** A clause matching documents whose `facet` falls in any of `bounds`. */
export function within(facet: string, bounds: Bounds | readonly Bounds[]): Filter {
  return { facet, bounds: Array.isArray(bounds) ? bounds : [bounds as Bounds] };
}

export interface Bounds {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** A range's comparisons, for sinks that write them out (`price >= 100`, `price < 900`). */
export function comparisons(b: Bounds): { op: '>' | '>=' | '<' | '<='; value: number }[] {
  return [
    ...(b.min !== undefined ? [{ op: b.minExclusive ? ('>' as const) : ('>=' as const), value: b.min }] : []),
    ...(b.max !== undefined ? [{ op: b.maxExclusive ? ('<' as const) : ('<=' as const), value: b.max }] : []),
  ];
}

/** The most matches a search pages through (Elasticsearch's `max_result_window`, Meilisearch's `maxTotalHits`). */
export const MAX_SEARCH_WINDOW = 10_000;

export interface SearchResult {
  total: number;
  /** The matching documents of the page, as stored (contract documents). */
  hits: SinkDocument[];
  /** Per requested terms facet: its values among the matches, most frequent first. */
  facets?: Record<string, { value: string; count: number }[]>;
  /** Per requested range facet (`kind: "range"` in the profile): the lowest and highest value among the matches. */
  ranges?: Record<string, { min: number | null; max: number | null }>;
  /** Per facet of `buckets`: the matches in each bucket, in the order asked. */
  buckets?: Record<string, number[]>;
  /** With `explain`: what the engine was asked, in order. */
  explain?: EngineRequest[];
}

/** One request a sink sent its engine for a search: SQL and its parameters, or an HTTP request and its body. */
export interface EngineRequest {
  engine: string;
  request: unknown;
  /** How long the engine took to answer it. */
  ms: number;
}

/** Milliseconds since a `performance.now()`, to a hundredth. */
export function msSince(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/**
 * The life of the physical indexes behind a public name: a rebuild creates one, fills it, and swaps
 * it in; the stamp says which source and shape built the live one.
 */
export interface IndexLifecycle {
  /** A new, empty physical index for generation `gen`, with the engine settings applied. */
  create(kind: IndexKind, gen: number): Promise<Target>;
  /** Whether an index exists: a physical one (resuming a rebuild), or the public one (`exists()`). */
  has(target: Target): Promise<boolean>;
  /**
   * Makes `target` the public index of its kind in one atomic step, then drops the old one. The
   * index remembers its stamp: the source that built it (no secrets) and the shape's fingerprint.
   */
  swap(target: Target, stamp: IndexStamp): Promise<void>;
  /** Rewrites the stamp of the public index of a kind (it exists and has one). */
  restamp(kind: IndexKind, stamp: IndexStamp): Promise<void>;
  /** The stamp of the public index of a kind, or null (no index, or built before stamps were recorded). */
  stamp(kind: IndexKind): Promise<IndexStamp | null>;
  drop(target: Target): Promise<void>;
}

/** Documents into an index: what every run writes. */
export interface DocumentWriter {
  /**
   * Documents per write while a rebuild loads a new index, when the engine wants other than
   * `BATCH_SIZE` (Meilisearch indexes one task at a time: fewer, larger tasks load faster).
   */
  readonly loadBatchSize?: number;
  /** Writes documents (insert or replace). Documents the engine refuses come back, the rest land. */
  write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]>;
  delete(target: Target, ids: readonly string[]): Promise<void>;
}

/** What rebuilds and syncs need of an engine: its indexes' lifecycle and their documents, under the engine's name. */
export interface IndexWriter extends IndexLifecycle, DocumentWriter {
  readonly engine: string;
  /** The public name of the products index (`INDEX_NAME`); see `live()`. */
  readonly indexName: string;
  count(target: Target): Promise<number>;
  close(): Promise<void>;
}

/** What reconcile and export need: the documents an index holds. */
export interface IndexReader {
  count(target: Target): Promise<number>;
  /** Documents by id (absent ids are missing from the map). */
  get(target: Target, ids: readonly string[]): Promise<Map<string, SinkDocument>>;
  /** Every document, in ascending numeric id order, a page at a time. */
  scan(target: Target, pageSize?: number): AsyncIterable<SinkDocument[]>;
}

/** What a storefront query needs: the public index, searched. */
export interface IndexSearcher {
  search(query: SearchQuery): Promise<SearchResult>;
}

/** What a run works with: it writes, and reconcile reads back. */
export type Sink = IndexWriter & IndexReader;

/** What the storefront search API reads: the public index, searched and read (the category tree, value labels). */
export type ServedIndex = IndexSearcher & IndexReader & { readonly indexName: string };

/** An engine adapter: every seam. */
export type EngineSink = Sink & IndexSearcher;

/** The field each kind's documents are ordered by (ascending): scans, exports, and the tie break of every sort. */
export const ORDER_FIELD: Record<IndexKind, string> = { products: 'product_id', categories: 'id' };

/** The physical index a rebuild of generation `gen` fills behind a public name, on every engine. */
export function physicalName(publicName: string, gen: number): string {
  return `${publicName}__g${gen}`;
}

/** Whether `name` is a physical index of `publicName`: this version's `__g<gen>`, or the `_<gen>` of indexes built before it. */
export function isPhysicalOf(publicName: string, name: string): boolean {
  return name.startsWith(publicName) && /^(?:__g|_)\d+$/.test(name.slice(publicName.length));
}

/** The public (live) target of a kind: `INDEX_NAME` for products, `<INDEX_NAME>_categories` for categories. */
export function live(sink: { readonly indexName: string }, kind: IndexKind): Target {
  return { kind, name: kind === 'products' ? sink.indexName : `${sink.indexName}_categories` };
}

/** Whether the public index of a kind exists (a first run builds it). */
export function exists(sink: IndexWriter, kind: IndexKind): Promise<boolean> {
  return sink.has(live(sink, kind));
}
