/*
 * What Elasticsearch and OpenSearch share: the same REST protocol for indexes, aliases, bulk writes,
 * mget, count and search, forked from the same code. `ClusterSink` holds the feeder's logic over
 * that protocol once; a `Cluster` is one engine's client behind it (each engine's official client
 * refuses to talk to the other), and a `Dialect` is where the two really differ: mapping types
 * and how attribute facets are counted.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SinkError } from '../errors';
import { queryText } from './text';
import { mergeDeep, readMapping } from './mappings';
import { facetField, queryVariants, searchFields } from '../profile/query';
import type { FieldType, SearchProfile } from '../profile/schema';
import {
  live,
  comparisons,
  facetPlan,
  filtersOf,
  sortOf,
  type Bounds,
  type IndexKind,
  type Rejection,
  type SearchQuery,
  type SearchResult,
  type EngineSink,
  type IndexStamp,
  type SinkDocument,
  type Target,
  msSince,
  ORDER_FIELD,
  physicalName,
  isPhysicalOf,
} from './types';

export interface IndexBody {
  settings: Record<string, unknown>;
  mappings: Record<string, unknown>;
}

export type AliasAction = { add: { index: string; alias: string } } | { remove: { index: string; alias: string } } | { remove_index: { index: string } };

export interface ClusterHit {
  _id: string;
  _source?: SinkDocument;
  sort?: unknown[];
}

export interface ClusterSearchResponse {
  total: number;
  hits: ClusterHit[];
  aggregations?: Record<string, { buckets?: { key: string | number; doc_count: number }[]; min?: number | null; max?: number | null }>;
}

/** What either client's bulk helper reports of a document it dropped. */
export interface BulkDrop {
  status: number;
  error?: { type?: string; reason?: string | null } | null;
  document: SinkDocument;
}

/** The options both clients' bulk helpers take (the OpenSearch client's helper is a fork of Elasticsearch's). */
export interface BulkHelperOptions {
  datasource: SinkDocument[];
  onDocument: (doc: SinkDocument) => { index: { _index: string; _id: string } };
  flushBytes: number;
  concurrency: number;
  retries: number;
  wait: number;
  onDrop: (drop: BulkDrop) => void;
}

/** An error class of a client (both clients have the same four, with the same fields). */
type ErrorClass<E = object> = abstract new (...args: never[]) => Error & E;

/** The error classes a client throws: the cluster's answer, and failures to reach it. */
export interface ClientErrors {
  ResponseError: ErrorClass<{ statusCode?: number; body?: unknown }>;
  ConnectionError: ErrorClass;
  TimeoutError: ErrorClass;
  NoLivingConnectionsError: ErrorClass;
}

/** A call a storefront waits for: bounded in time, retried at most `maxRetries` times. */
export interface FastCall {
  timeoutMs: number;
  maxRetries: number;
}

/** A fast call as both clients' per-request transport options. */
export function transport(fast: FastCall | undefined): { requestTimeout: number; maxRetries: number } | undefined {
  return fast ? { requestTimeout: fast.timeoutMs, maxRetries: fast.maxRetries } : undefined;
}

/** One engine's client, reduced to the calls the sink makes. Errors are the client's own. */
export interface Cluster {
  exists(index: string): Promise<boolean>;
  create(index: string, body: IndexBody): Promise<void>;
  /** The client's bulk helper: flush by bytes, bounded concurrency, 429 retried, drops reported. */
  bulkHelper(options: BulkHelperOptions): Promise<unknown>;
  /** Deletes by id; the first failure other than not-found, or null. */
  bulkDelete(index: string, ids: readonly string[]): Promise<{ type?: string; reason?: string } | null>;
  putMeta(index: string, meta: Record<string, unknown>): Promise<void>;
  /** Adds fields to an index's mapping (fields it has keep theirs; a conflicting one is an error). */
  putProperties(index: string, properties: Record<string, unknown>): Promise<void>;
  getMeta(index: string): Promise<Record<string, unknown> | undefined>;
  putSettings(index: string, settings: Record<string, unknown>): Promise<void>;
  refresh(index: string): Promise<void>;
  updateAliases(actions: AliasAction[]): Promise<void>;
  /** Deletes indexes, ignoring those that are gone. */
  deleteIndices(names: string[]): Promise<void>;
  /** Names of the indexes matching a wildcard pattern (none is not an error). */
  listIndices(pattern: string): Promise<string[]>;
  /** The indexes an alias points at (none when the alias does not exist). */
  aliasIndices(alias: string): Promise<string[]>;
  count(index: string): Promise<number>;
  mget(index: string, ids: readonly string[]): Promise<{ _id: string; found: boolean; _source?: SinkDocument }[]>;
  /** A search; a storefront's (`fast`) waits at most `timeoutMs` and is retried at most once, so an engine that is down answers in seconds. */
  search(index: string, body: Record<string, unknown>, fast?: FastCall): Promise<ClusterSearchResponse>;
  /** Module names on every node (`analysis-common` decides the folded analyzers). */
  nodeModules(fast?: FastCall): Promise<string[][]>;
  close(): Promise<void>;
  /** The client's error classes (the cluster's reason for a failed call is read from them). */
  readonly errors: ClientErrors;
}

/** Where the engines differ. */
export interface Dialect {
  /** The engine's id (`SINK`) and its name in messages. */
  readonly engine: string;
  readonly label: string;
  /** The index body from the shared mapping files, in the engine's types. */
  body(base: IndexBody): IndexBody;
  /** The document as stored (engine-only fields added); `fromStored` removes them again. */
  toStored(doc: SinkDocument): SinkDocument;
  fromStored(doc: SinkDocument): SinkDocument;
  /** The aggregation counting the values of a document field (`attributes.size`, `brand`), and how to read its buckets. */
  facetAgg(field: string, size: number): Record<string, unknown>;
  facetValue(field: string, bucketKey: string | number): string;
  /** The filter matching documents whose field has one of the values (as `facetValue` reads them). */
  facetFilter(field: string, values: readonly string[]): Record<string, unknown>;
}

export interface ClusterOptions {
  /** The configured search profile: the mapping of the fields it adds, the fields a query searches, synonyms, facets. */
  profile: SearchProfile;
  indexName: string;
  replicas: number;
  flushBytes: number;
  concurrency: number;
  /** How long a retired index outlives the swap, so searches that resolved the alias just before it finish. */
  swapGraceMs: number;
  /** How long a storefront search waits for the cluster (SEARCH_TIMEOUT_MS). */
  searchTimeoutMs: number;
}

/** The range query's name of each comparison. */
const RANGE_OPS = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;

/** Where a query's bucket counts are aggregated (apart from facets, which may have any name). */
const BUCKETS_PREFIX = 'feeder_buckets__';

/** The numeric field scans are ordered by, per kind (ids are keywords; these sort as numbers). */

/**
 * A sink over an Elasticsearch-protocol cluster. Public names are aliases over physical indexes
 * `<alias>_<gen>`: a rebuild loads a new index with replicas 0 and refresh off, restores both, then
 * moves the alias in one atomic `_aliases` call and deletes the old index after a grace period.
 * Documents the cluster refuses come back as rejections with the cluster's reason.
 */
export class ClusterSink implements EngineSink {
  private analysisCommon: Promise<boolean> | null = null;
  private keywordFields: Set<string> | null = null;
  /** Indexes whose mapping has this version's fields (`ensureProperties`). */
  private readonly mapped = new Set<string>();

  constructor(
    private readonly cluster: Cluster,
    private readonly dialect: Dialect,
    private readonly opts: ClusterOptions,
  ) {}

  get engine(): string {
    return this.dialect.engine;
  }

  get indexName(): string {
    return this.opts.indexName;
  }

  async has(target: Target): Promise<boolean> {
    return this.call('check the index', () => this.cluster.exists(target.name));
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const target = { kind, name: physicalName(live(this, kind).name, gen) };
    const body = await this.indexBody(kind);
    await this.drop(target);
    await this.dropOrphans(kind);
    // Loading: no replicas to copy to and no refreshes; restored before the swap.
    await this.call(`create index ${target.name}`, () =>
      this.cluster.create(target.name, { settings: { ...body.settings, number_of_replicas: 0, refresh_interval: '-1' }, mappings: body.mappings }),
    );
    return target;
  }

  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    if (docs.length === 0) return [];
    await this.ensureProperties(target);
    const stored = target.kind === 'products' ? docs.map((d) => this.dialect.toStored(d)) : docs;
    const rejected: Rejection[] = [];
    let throttled = 0;
    await this.call(`bulk write to ${target.name}`, () =>
      this.cluster.bulkHelper({
        datasource: [...stored],
        onDocument: (doc) => ({ index: { _index: target.name, _id: String(doc.id) } }),
        flushBytes: this.opts.flushBytes,
        concurrency: this.opts.concurrency,
        retries: 5,
        wait: 500,
        onDrop: (drop) => {
          // 429 is the only status worth retrying: the document is fine, the cluster is busy (the run
          // fails and is retried). Any other drop is that document's rejection, with the cluster's reason.
          if (drop.status === 429) throttled++;
          else {
            const e = drop.error;
            rejected.push({ id: String(drop.document.id), reason: e ? `${e.type}: ${e.reason ?? ''}`.trim() : `status ${drop.status}` });
          }
        },
      }),
    );
    if (throttled > 0) throw new SinkError(`${this.dialect.label} kept answering 429 for ${throttled} documents; the run will be retried`);
    return rejected;
  }

  async delete(target: Target, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      const failed = await this.call(`bulk delete from ${target.name}`, () => this.cluster.bulkDelete(target.name, ids.slice(i, i + 1000)));
      if (failed) throw new SinkError(`${this.dialect.label} refused a delete in ${target.name}: ${failed.type}: ${failed.reason}`);
    }
  }

  async swap(target: Target, stamp: IndexStamp): Promise<void> {
    const alias = live(this, target.kind).name;
    // The index remembers its source and shape in its mapping's `_meta`.
    await this.call(`record the source of ${target.name}`, () =>
      this.cluster.putMeta(target.name, { feeder_source: stamp.source, feeder_profile: stamp.profile }),
    );
    await this.call(`restore settings of ${target.name}`, () =>
      this.cluster.putSettings(target.name, { number_of_replicas: this.opts.replicas, refresh_interval: null }),
    );
    await this.call(`refresh ${target.name}`, () => this.cluster.refresh(target.name));
    const retired = (await this.indicesBehind(alias)).filter((i) => i !== target.name);
    // One atomic `_aliases` call moves the alias. A concrete index that still holds the public name
    // (from before aliases) must go in the same call; physical indexes only leave the alias.
    await this.call(`swap alias ${alias}`, () =>
      this.cluster.updateAliases([
        ...retired.map((index): AliasAction => (index === alias ? { remove_index: { index } } : { remove: { index, alias } })),
        { add: { index: target.name, alias } },
      ]),
    );
    // A search that resolved the alias a moment before the swap still runs on the old index:
    // deleting it at once fails that search (no_shard_available). It goes after a grace period.
    const drop = retired.filter((i) => i !== alias);
    if (drop.length === 0) return;
    await delay(this.opts.swapGraceMs);
    await this.call(`delete retired ${drop.join(', ')}`, () => this.cluster.deleteIndices(drop));
  }

  async restamp(kind: IndexKind, stamp: IndexStamp): Promise<void> {
    for (const index of await this.indicesBehind(live(this, kind).name)) {
      await this.call(`record the source of ${index}`, () => this.cluster.putMeta(index, { feeder_source: stamp.source, feeder_profile: stamp.profile }));
    }
  }

  async stamp(kind: IndexKind): Promise<IndexStamp | null> {
    const alias = live(this, kind).name;
    if (!(await this.has({ kind, name: alias }))) return null;
    const meta = await this.call(`read the source of ${alias}`, () => this.cluster.getMeta(alias));
    if (typeof meta?.feeder_source !== 'string') return null;
    return { source: meta.feeder_source, profile: typeof meta.feeder_profile === 'string' ? meta.feeder_profile : null };
  }

  async drop(target: Target): Promise<void> {
    await this.call(`delete index ${target.name}`, () => this.cluster.deleteIndices([target.name]));
  }

  async count(target: Target): Promise<number> {
    if (!(await this.has(target))) return 0;
    await this.call(`refresh ${target.name}`, () => this.cluster.refresh(target.name));
    return this.call(`count ${target.name}`, () => this.cluster.count(target.name));
  }

  async get(target: Target, ids: readonly string[]): Promise<Map<string, SinkDocument>> {
    const out = new Map<string, SinkDocument>();
    if (ids.length === 0 || !(await this.has(target))) return out;
    const docs = await this.call(`get from ${target.name}`, () => this.cluster.mget(target.name, ids));
    for (const d of docs) if (d.found && d._source) out.set(d._id, this.read(target.kind, d._source));
    return out;
  }

  async *scan(target: Target, pageSize = 1000): AsyncIterable<SinkDocument[]> {
    if (!(await this.has(target))) return;
    await this.call(`refresh ${target.name}`, () => this.cluster.refresh(target.name));
    const field = ORDER_FIELD[target.kind];
    let after: unknown[] | undefined;
    for (;;) {
      const res = await this.call(`scan ${target.name}`, () =>
        this.cluster.search(target.name, { size: pageSize, sort: [{ [field]: 'asc' }], search_after: after, track_total_hits: false }),
      );
      const hits = res.hits;
      if (hits.length === 0) return;
      after = hits[hits.length - 1].sort;
      yield hits.map((h) => this.read(target.kind, h._source!));
    }
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const text = queryText(q.text);
    if (text === '') return { total: 0, hits: [] }; // typed, but not a word in it (docs/CONTRACT.md §5)
    const { profile } = this.opts;
    const alias = live(this, 'products').name;
    const fast = { timeoutMs: this.opts.searchTimeoutMs, maxRetries: 1 };
    const folded = await this.hasAnalysisCommon(fast);
    const filter: Record<string, unknown>[] = [];
    if (q.isActive !== undefined) filter.push({ term: { is_active: q.isActive } });
    if (q.isListable !== undefined) filter.push({ term: { is_listable: q.isListable } });
    // A text field is counted, filtered and sorted on its `keyword` sub-field; any other field as it is.
    this.keywordFields ??= keywordSubfields(profile);
    const keywords = this.keywordFields;
    const exact = (field: string) => (keywords.has(field) ? `${field}.keyword` : field);
    const facetFieldOf = (name: string) => exact(facetField(profile, name));
    const filters = filtersOf(q);
    for (const [name, values] of filters.values) filter.push(this.dialect.facetFilter(facetFieldOf(name), values));
    const inRange = (field: string, bounds: Bounds) => ({ range: { [field]: Object.fromEntries(comparisons(bounds).map((c) => [RANGE_OPS[c.op], c.value])) } });
    for (const [name, list] of filters.ranges) {
      const field = facetField(profile, name);
      filter.push(list.length === 1 ? inRange(field, list[0]) : { bool: { should: list.map((b) => inRange(field, b)), minimum_should_match: 1 } });
    }
    const must = text ? [{ bool: { should: queryVariants(profile, text).map((v) => this.textQuery(v, q.locale, folded)), minimum_should_match: 1 } }] : [];
    const order = sortOf(q.sort);
    const sort = order
      ? [{ [exact(order.field)]: { order: order.desc ? 'desc' : 'asc', missing: '_last', unmapped_type: 'keyword' } }, { product_id: 'asc' }]
      : ['_score', { product_id: 'asc' }];
    const kinds = facetPlan(q, profile);
    const aggs: Record<string, Record<string, unknown>> = Object.fromEntries([
      ...kinds.ranges.map((f): [string, Record<string, unknown>] => [f, { stats: { field: facetField(profile, f) } }]),
      ...kinds.terms.map((f): [string, Record<string, unknown>] => [f, this.dialect.facetAgg(facetFieldOf(f), kinds.size)]),
      // Buckets as filters (not a `range` aggregation, whose upper ends are always exclusive).
      ...Object.entries(q.buckets ?? {}).map(([f, list]): [string, Record<string, unknown>] => [
        `${BUCKETS_PREFIX}${f}`,
        { filters: { filters: list.map((b) => inRange(facetField(profile, f), b)) } },
      ]),
    ]);
    const body = {
      from: q.offset ?? 0,
      size: q.limit ?? 10,
      query: { bool: { must, filter } },
      sort,
      track_total_hits: q.countAll !== false,
      aggs: Object.keys(aggs).length ? aggs : undefined,
    };
    const started = performance.now();
    const res = await this.call('search', async () => {
      try {
        return await this.cluster.search(alias, body, fast);
      } catch (err) {
        // No index yet (before the first rebuild): no matches. Asked of the search itself rather than
        // before it, so a search costs one round trip.
        if (this.isMissingIndex(err)) return null;
        throw err;
      }
    });
    const explain = q.explain ? [{ engine: this.engine, request: { method: 'POST', path: `/${alias}/_search`, body }, ms: msSince(started) }] : undefined;
    if (!res) return { total: 0, hits: [], ...(explain ? { explain } : {}) };
    const facets: Record<string, { value: string; count: number }[]> = {};
    const ranges: Record<string, { min: number | null; max: number | null }> = {};
    for (const f of kinds.ranges) {
      const stats = res.aggregations?.[f];
      ranges[f] = { min: stats?.min ?? null, max: stats?.max ?? null };
    }
    for (const f of kinds.terms) {
      const buckets = res.aggregations?.[f]?.buckets ?? [];
      facets[f] = buckets.map((b) => ({ value: this.dialect.facetValue(facetFieldOf(f), b.key), count: b.doc_count }));
    }
    const buckets = Object.fromEntries(
      Object.keys(q.buckets ?? {}).map((f) => [f, (res.aggregations?.[`${BUCKETS_PREFIX}${f}`]?.buckets ?? []).map((b) => b.doc_count)]),
    );
    return {
      ...(q.buckets ? { buckets } : {}),
      total: Math.max(res.total, res.hits.length), // not counted (countAll: false): at least the hits
      hits: res.hits.map((h) => this.read('products', h._source ?? { id: h._id })),
      ...(q.facets ? { facets } : {}),
      ...(Object.keys(ranges).length ? { ranges } : {}),
      ...(explain ? { explain } : {}),
    };
  }

  async close(): Promise<void> {
    await this.cluster.close();
  }

  /**
   * One variant of the query over the profile's fields for the locale, each boosted by its weight:
   * every word must match in some field, the last one as a prefix (as the embedded index and
   * Meilisearch match it: search as you type).
   */
  private textQuery(text: string, locale: string | undefined, folded: boolean): Record<string, unknown> {
    const fields = searchFields(this.opts.profile, locale).flatMap(({ field, weight }) => {
      if (field === 'attribute_labels') return [`attribute_labels.*^${weight}`];
      if (field === 'name' && folded) return [`name^${weight}`, `name.folded^${weight * 0.8}`, `name.autocomplete^${weight * 0.2}`];
      return [`${field}^${weight}`];
    });
    const words = text.split(/\s+/).filter(Boolean);
    const must = words.map((word, i) =>
      i === words.length - 1
        ? { multi_match: { query: word, type: 'bool_prefix', operator: 'and', fields } }
        : { multi_match: { query: word, type: 'best_fields', operator: 'and', fields } },
    );
    return must.length === 1 ? must[0] : { bool: { must } };
  }

  private read(kind: IndexKind, doc: SinkDocument): SinkDocument {
    return kind === 'products' ? this.dialect.fromStored(doc) : doc;
  }

  /**
   * The fields this version writes, added to an index built by an earlier one (its mapping is
   * strict, and would refuse a document with a field it lacks: an image's id, a category's uuid).
   * Once per index and process; a refusal (a field whose type changed) is logged by the write it
   * then fails, as before.
   */
  private async ensureProperties(target: Target): Promise<void> {
    if (this.mapped.has(target.name)) return;
    const { mappings } = await this.indexBody(target.kind);
    const properties = (mappings as { properties?: Record<string, unknown> }).properties ?? {};
    try {
      await this.call(`add this version's fields to ${target.name}`, () => this.cluster.putProperties(target.name, properties));
      this.mapped.add(target.name);
    } catch {
      // The write that follows meets the same engine, and says what is wrong.
    }
  }

  /** The mapping of a kind, with the analysis-common overlay when the cluster has that module. */
  private async indexBody(kind: IndexKind): Promise<IndexBody> {
    let body = readMapping<IndexBody>(kind === 'products' ? 'products.json' : 'categories.json');
    if (kind === 'products' && (await this.hasAnalysisCommon())) {
      const overlay = readMapping<IndexBody>('elasticsearch-analysis-common.json');
      body = { settings: mergeDeep(body.settings, overlay.settings), mappings: mergeDeep(body.mappings, overlay.mappings) };
    }
    if (kind === 'products') body = { settings: body.settings, mappings: mergeDeep(body.mappings, profileMappings(this.opts.profile)) };
    return this.dialect.body(body);
  }

  /** Asked once; a failure is not remembered (the next call asks again), so an engine down for a moment does not fail every later search. */
  private hasAnalysisCommon(fast?: FastCall): Promise<boolean> {
    this.analysisCommon ??= this.call('list modules', () => this.cluster.nodeModules(fast)).then(
      (nodes) => nodes.every((modules) => modules.includes('analysis-common')),
      (err: unknown) => {
        this.analysisCommon = null;
        throw err;
      },
    );
    return this.analysisCommon;
  }

  /**
   * Physical indexes of this public name that nothing uses: neither behind the alias nor being built
   * (a process killed during a swap's grace period leaves its retired index behind).
   */
  private async dropOrphans(kind: IndexKind): Promise<void> {
    const alias = live(this, kind).name;
    const all = await this.call(`list ${alias}_*`, () => this.cluster.listIndices(`${alias}_*`));
    const behind = new Set(await this.indicesBehind(alias));
    const orphans = all.filter((name) => isPhysicalOf(alias, name) && !behind.has(name));
    if (orphans.length) await this.call(`delete orphaned ${orphans.join(', ')}`, () => this.cluster.deleteIndices(orphans));
  }

  /** The physical indexes behind a public name: the alias's indexes, or a concrete index of that name. */
  private async indicesBehind(alias: string): Promise<string[]> {
    const names = await this.call(`resolve ${alias}`, () => this.cluster.aliasIndices(alias));
    if (names.length) return names;
    return (await this.has({ kind: 'products', name: alias })) ? [alias] : [];
  }

  /** Client errors become SinkErrors naming the action and the cluster's reason, never credentials. */
  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SinkError) throw err;
      throw new SinkError(`${this.dialect.label} could not ${action}: ${this.describe(err)}`, { cause: err });
    }
  }

  private isMissingIndex(err: unknown): boolean {
    const { ResponseError } = this.cluster.errors;
    if (!(err instanceof ResponseError) || err.statusCode !== 404) return false;
    const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body ?? '');
    return body.includes('index_not_found_exception');
  }

  /** The cluster's reason for a failed call (its error body, with the cause), or the transport's; never credentials. */
  private describe(err: unknown): string {
    const { ResponseError, ConnectionError, TimeoutError, NoLivingConnectionsError } = this.cluster.errors;
    if (err instanceof ResponseError) return reasonOf(err.statusCode ?? 0, err.body);
    if (err instanceof ConnectionError || err instanceof TimeoutError || err instanceof NoLivingConnectionsError) return `${err.name}: ${err.message}`;
    return err instanceof Error ? err.message : String(err);
  }
}

interface ClusterError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

/** The reason in an error response body, with its cause (`all shards failed` alone says nothing). */
function reasonOf(status: number, body: unknown): string {
  const e = (body as { error?: ClusterError | string } | undefined)?.error;
  if (!e || typeof e !== 'object') return `status ${status}`;
  const cause = e.caused_by?.reason && e.caused_by.reason !== e.reason ? ` (caused by ${e.caused_by.type}: ${e.caused_by.reason})` : '';
  return `${status} ${e.type}: ${e.reason}${cause}`;
}

/** The mapping of what a profile adds to the contract: the fields a transform adds, and each locale's searchable text. */
export function profileMappings(profile: SearchProfile): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(profile.fields)) properties[field] = FIELD_MAPPING[type];
  if (profile.locales.length) {
    const text = { type: 'text' };
    properties.i18n = {
      properties: Object.fromEntries(profile.locales.map((l) => [l, { properties: { name: text, attributes: text, url: text, category_names: text } }])),
    };
  }
  return Object.keys(properties).length ? { properties } : {};
}

const FIELD_MAPPING: Record<FieldType, Record<string, unknown>> = {
  keyword: { type: 'keyword', ignore_above: 1024 },
  text: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
  number: { type: 'double' },
  boolean: { type: 'boolean' },
  date: { type: 'date' },
};

/** The top-level fields of the products mapping (with what the profile adds) that carry a `keyword` sub-field. */
function keywordSubfields(profile: SearchProfile): Set<string> {
  const mappings = mergeDeep(readMapping<IndexBody>('products.json').mappings, profileMappings(profile));
  const properties = mappings.properties as Record<string, { fields?: { keyword?: unknown } }>;
  return new Set(Object.keys(properties).filter((f) => properties[f].fields?.keyword !== undefined));
}
