import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, errors as esErrors, type ClientOptions } from '@elastic/elasticsearch';
import { SinkError } from '../errors';
import { mergeDeep, readMapping } from './mappings';
import {
  exists,
  live,
  hitOf,
  type IndexKind,
  type Rejection,
  type SearchQuery,
  type SearchResult,
  type EngineSink,
  type SinkDocument,
  type Target,
} from './types';

export interface ElasticsearchOptions {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  caFile?: string;
  tlsVerify: boolean;
  indexName: string;
  replicas: number;
  flushBytes: number;
  concurrency: number;
  requestTimeoutMs: number;
  /** How long a retired index outlives the swap, so searches that resolved the alias just before it finish. */
  swapGraceMs: number;
}

interface IndexBody {
  description?: string;
  settings: Record<string, unknown>;
  mappings: Record<string, unknown>;
}

/** The numeric field scans are ordered by, per kind (ids are keywords; these sort as numbers). */
const ORDER_FIELD: Record<IndexKind, string> = { products: 'product_id', categories: 'id' };

/**
 * Elasticsearch sink. Public names are aliases over physical indexes `<alias>_<gen>`: a rebuild
 * loads a new index with replicas 0 and refresh off, restores both, then moves the alias and
 * removes the old index in one atomic `_aliases` call. Writes go through the client's bulk helper
 * (flush by bytes, bounded concurrency, 429 retried); documents the cluster refuses come back as
 * rejections with the cluster's reason.
 */
export class ElasticsearchSink implements EngineSink {
  readonly engine = 'elasticsearch';
  private readonly client: Client;
  private analysisCommon: Promise<boolean> | null = null;

  get indexName(): string {
    return this.opts.indexName;
  }

  constructor(private readonly opts: ElasticsearchOptions) {
    const options: ClientOptions = {
      node: opts.url,
      requestTimeout: opts.requestTimeoutMs,
      maxRetries: 3,
      tls: { rejectUnauthorized: opts.tlsVerify, ...(opts.caFile ? { ca: fs.readFileSync(opts.caFile) } : {}) },
    };
    if (opts.apiKey) options.auth = { apiKey: opts.apiKey };
    else if (opts.username) options.auth = { username: opts.username, password: opts.password ?? '' };
    this.client = new Client(options);
  }

  async has(target: Target): Promise<boolean> {
    return this.call('check the index', () => this.client.indices.exists({ index: target.name }));
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const target = { kind, name: `${live(this, kind).name}_${gen}` };
    const body = await this.indexBody(kind);
    await this.drop(target);
    await this.dropOrphans(kind);
    await this.call(`create index ${target.name}`, () =>
      this.client.indices.create({
        index: target.name,
        // Loading: no replicas to copy to and no refreshes; restored before the swap.
        settings: { ...body.settings, number_of_replicas: 0, refresh_interval: '-1' },
        mappings: body.mappings,
      }),
    );
    return target;
  }

  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    if (docs.length === 0) return [];
    const rejected: Rejection[] = [];
    let throttled = 0;
    await this.call(`bulk write to ${target.name}`, () =>
      this.client.helpers.bulk<SinkDocument>({
        datasource: [...docs],
        onDocument: (doc) => ({ index: { _index: target.name, _id: String(doc.id) } }),
        flushBytes: this.opts.flushBytes,
        concurrency: this.opts.concurrency,
        retries: 5,
        wait: 500,
        onDrop: (drop) => {
          // 429 is the only status worth retrying: the document itself is fine, the cluster is busy.
          if (drop.status === 429) throttled++;
          else {
            const e = drop.error;
            rejected.push({ id: String(drop.document.id), reason: e ? `${e.type}: ${e.reason ?? ''}`.trim() : `status ${drop.status}` });
          }
        },
      }),
    );
    if (throttled > 0) throw new SinkError(`Elasticsearch kept answering 429 for ${throttled} documents; the run will be retried`);
    return rejected;
  }

  async delete(target: Target, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await this.call(`bulk delete from ${target.name}`, () =>
        this.client.bulk({ operations: chunk.map((id) => ({ delete: { _index: target.name, _id: id } })) }),
      );
      const failed = res.items.map((item) => item.delete).find((d) => d?.error && d.status !== 404);
      if (failed) throw new SinkError(`Elasticsearch refused a delete in ${target.name}: ${failed.error?.type}: ${failed.error?.reason}`);
    }
  }

  async swap(target: Target, origin: string): Promise<void> {
    const alias = live(this, target.kind).name;
    // The index remembers its source in its mapping's `_meta`.
    await this.call(`record the source of ${target.name}`, () => this.client.indices.putMapping({ index: target.name, _meta: { feeder_source: origin } }));
    await this.call(`restore settings of ${target.name}`, () =>
      this.client.indices.putSettings({ index: target.name, settings: { number_of_replicas: this.opts.replicas, refresh_interval: null as never } }),
    );
    await this.call(`refresh ${target.name}`, () => this.client.indices.refresh({ index: target.name }));
    const retired = (await this.indicesBehind(alias)).filter((i) => i !== target.name);
    // One atomic `_aliases` call moves the alias. A concrete index that still holds the public name
    // (from before aliases) must go in the same call; physical indexes only leave the alias.
    await this.call(`swap alias ${alias}`, () =>
      this.client.indices.updateAliases({
        actions: [
          ...retired.map((index) => (index === alias ? { remove_index: { index } } : { remove: { index, alias } })),
          { add: { index: target.name, alias } },
        ],
      }),
    );
    // A search that resolved the alias a moment before the swap still runs on the old index:
    // deleting it at once fails that search (no_shard_available). It goes after a grace period.
    const drop = retired.filter((i) => i !== alias);
    if (drop.length === 0) return;
    await delay(this.opts.swapGraceMs);
    await this.call(`delete retired ${drop.join(', ')}`, () => this.client.indices.delete({ index: drop, ignore_unavailable: true }));
  }

  async origin(kind: IndexKind): Promise<string | null> {
    const alias = live(this, kind).name;
    if (!(await this.has({ kind, name: alias }))) return null;
    const res = await this.call(`read the source of ${alias}`, () => this.client.indices.getMapping({ index: alias }));
    const meta = Object.values(res)[0]?.mappings?._meta as { feeder_source?: unknown } | undefined;
    return typeof meta?.feeder_source === 'string' ? meta.feeder_source : null;
  }

  async drop(target: Target): Promise<void> {
    await this.call(`delete index ${target.name}`, () => this.client.indices.delete({ index: target.name, ignore_unavailable: true }));
  }

  async count(target: Target): Promise<number> {
    if (!(await this.has(target))) return 0;
    await this.call(`refresh ${target.name}`, () => this.client.indices.refresh({ index: target.name }));
    return (await this.call(`count ${target.name}`, () => this.client.count({ index: target.name }))).count;
  }

  async get(target: Target, ids: readonly string[]): Promise<Map<string, SinkDocument>> {
    const out = new Map<string, SinkDocument>();
    if (ids.length === 0 || !(await this.has(target))) return out;
    const res = await this.call(`get from ${target.name}`, () => this.client.mget<SinkDocument>({ index: target.name, ids: [...ids] }));
    for (const d of res.docs) if ('found' in d && d.found && d._source) out.set(d._id, d._source);
    return out;
  }

  async *scan(target: Target, pageSize = 1000): AsyncIterable<SinkDocument[]> {
    if (!(await this.has(target))) return;
    await this.call(`refresh ${target.name}`, () => this.client.indices.refresh({ index: target.name }));
    const field = ORDER_FIELD[target.kind];
    let after: (number | string)[] | undefined;
    for (;;) {
      const res = await this.call(`scan ${target.name}`, () =>
        this.client.search<SinkDocument>({ index: target.name, size: pageSize, sort: [{ [field]: 'asc' }], search_after: after, track_total_hits: false }),
      );
      const hits = res.hits.hits;
      if (hits.length === 0) return;
      after = hits[hits.length - 1].sort as (number | string)[];
      yield hits.map((h) => h._source!);
    }
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const alias = live(this, 'products').name;
    const folded = await this.hasAnalysisCommon();
    const filter: Record<string, unknown>[] = [];
    if (q.categoryId !== undefined) filter.push({ term: { category_ids: q.categoryId } });
    if (q.minPrice !== undefined || q.maxPrice !== undefined) {
      const bounds = {
        [q.minPriceExclusive ? 'gt' : 'gte']: q.minPrice,
        [q.maxPriceExclusive ? 'lt' : 'lte']: q.maxPrice,
      };
      filter.push({ range: { price: bounds } });
    }
    if (q.isActive !== undefined) filter.push({ term: { is_active: q.isActive } });
    const text = q.text?.trim();
    const must = text
      ? [
          {
            multi_match: {
              query: text,
              type: 'cross_fields' as const,
              operator: 'and' as const,
              fields: [
                'name^10',
                ...(folded ? ['name.folded^8', 'name.autocomplete^2'] : []),
                'sku^6',
                'base_code^4',
                'category_names^2',
                'attribute_labels.*',
              ],
            },
          },
        ]
      : [];
    const sort =
      q.sort === 'price'
        ? [{ price: { order: 'asc', missing: '_last' } }, { product_id: 'asc' }]
        : q.sort === '-price'
          ? [{ price: { order: 'desc', missing: '_last' } }, { product_id: 'asc' }]
          : ['_score', { product_id: 'asc' }];
    const aggs = Object.fromEntries((q.facets ?? []).map((f) => [f, { terms: { field: `attributes.${f}`, size: 50 } }]));
    if (!(await exists(this, 'products'))) return { total: 0, hits: [] };
    const res = await this.call('search', () =>
      this.client.search<SinkDocument>({
        index: alias,
        size: q.limit ?? 10,
        query: { bool: { must, filter } },
        sort: sort as never,
        track_total_hits: true,
        aggs: Object.keys(aggs).length ? aggs : undefined,
      }),
    );
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    const facets: Record<string, { value: string; count: number }[]> = {};
    for (const f of q.facets ?? []) {
      const agg = res.aggregations?.[f] as { buckets?: { key: string | number; doc_count: number }[] } | undefined;
      facets[f] = (agg?.buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));
    }
    return {
      total,
      hits: res.hits.hits.map((h) => hitOf(h._source ?? { id: h._id })),
      ...(q.facets ? { facets } : {}),
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** The mapping of a kind, with the analysis-common overlay when the cluster has that module. */
  private async indexBody(kind: IndexKind): Promise<IndexBody> {
    const base = readMapping<IndexBody>(kind === 'products' ? 'products.json' : 'categories.json');
    if (kind !== 'products' || !(await this.hasAnalysisCommon())) return base;
    const overlay = readMapping<IndexBody>('elasticsearch-analysis-common.json');
    return { settings: mergeDeep(base.settings, overlay.settings), mappings: mergeDeep(base.mappings, overlay.mappings) };
  }

  private hasAnalysisCommon(): Promise<boolean> {
    this.analysisCommon ??= this.call('list modules', () => this.client.nodes.info({ metric: 'plugins' })).then((info) =>
      Object.values(info.nodes).every((n) => (n.modules ?? []).some((m) => m.name === 'analysis-common')),
    );
    return this.analysisCommon;
  }

  /** The physical indexes behind a public name: the alias's indexes, or a concrete index of that name. */
  /**
   * Physical indexes of this public name that nothing uses: neither behind the alias nor being built
   * (a process killed during a swap's grace period leaves its retired index behind).
   */
  private async dropOrphans(kind: IndexKind): Promise<void> {
    const alias = live(this, kind).name;
    const all = await this.call(`list ${alias}_*`, () => this.client.indices.get({ index: `${alias}_*`, ignore_unavailable: true, allow_no_indices: true }));
    const behind = new Set(await this.indicesBehind(alias));
    const pattern = new RegExp(`^${alias}_\\d+$`);
    const orphans = Object.keys(all).filter((name) => pattern.test(name) && !behind.has(name));
    if (orphans.length)
      await this.call(`delete orphaned ${orphans.join(', ')}`, () => this.client.indices.delete({ index: orphans, ignore_unavailable: true }));
  }

  private async indicesBehind(alias: string): Promise<string[]> {
    const aliased = await this.call(`resolve ${alias}`, () => this.client.indices.getAlias({ name: alias }, { ignore: [404] }));
    const names = Object.keys(aliased).filter((k) => k !== 'error' && k !== 'status');
    if (names.length) return names;
    return (await this.has({ kind: 'products', name: alias })) ? [alias] : [];
  }

  /** Client errors become SinkErrors naming the action and the cluster's reason, never credentials. */
  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SinkError) throw err;
      throw new SinkError(`Elasticsearch could not ${action}: ${describe(err)}`, { cause: err });
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof esErrors.ResponseError) {
    const e = (err.body as { error?: { type?: string; reason?: string } } | undefined)?.error;
    return e ? `${err.statusCode} ${e.type}: ${e.reason}` : `status ${err.statusCode}`;
  }
  if (err instanceof esErrors.ConnectionError || err instanceof esErrors.TimeoutError || err instanceof esErrors.NoLivingConnectionsError) {
    return `${err.name}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
