/*
 * What Elasticsearch and OpenSearch share: the same REST protocol for indexes, aliases, bulk writes,
 * mget, count and search, forked from the same code. `ClusterSink` holds the feeder's logic over
 * that protocol once; a `Cluster` is one engine's client behind it (each engine's official client
 * refuses to talk to the other), and a `Dialect` is where the two really differ: mapping types
 * and how attribute facets are counted.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SinkError } from '../../errors';
import { searchBody, searchResult } from './query';
import { searchPlan } from '../plan';
import { keywordSubfields, profileMappings } from './mappings';
import type { AliasAction, Cluster, ClusterOptions, Dialect, FastCall, IndexBody } from './client';
import { mergeDeep, readMapping } from '../mappings';
import {
  live,
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
} from '../types';

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
            const id = String(drop.document.id);
            const raw = docs.find((d) => String(d.id) === id) ?? drop.document;
            rejected.push({ id, reason: e ? `${e.type}: ${e.reason ?? ''}`.trim() : `status ${drop.status}`, raw });
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
    const { meta } = await this.call(`read the source of ${alias}`, () => this.cluster.getMapping(alias));
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
    const alias = live(this, 'products').name;
    const fast = { timeoutMs: this.opts.searchTimeoutMs, maxRetries: 1 };
    const keywordFields = (this.keywordFields ??= keywordSubfields(this.opts.profile));
    const facts = { profile: this.opts.profile, dialect: this.dialect, keywordFields, folded: await this.hasAnalysisCommon(fast) };
    const plan = searchPlan(q, this.opts.profile);
    if (!plan) return { total: 0, hits: [] }; // typed, but not a word in it (docs/CONTRACT.md §5)
    const body = searchBody(plan, facts);
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
    const explain = q.explain ? { explain: [{ engine: this.engine, request: { method: 'POST', path: `/${alias}/_search`, body }, ms: msSince(started) }] } : {};
    if (!res) return { total: 0, hits: [], ...explain };
    return { ...searchResult(plan, res, facts), ...explain };
  }

  async close(): Promise<void> {
    await this.cluster.close();
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
      // A mapping change is a cluster-state update: a run (one `feeder sync` process each) reads first
      // and asks for it only when a field of this version is missing.
      const held = await this.call(`read the fields of ${target.name}`, () => this.cluster.getMapping(target.name));
      if (!hasFields(held.properties, properties)) {
        await this.call(`add this version's fields to ${target.name}`, () => this.cluster.putProperties(target.name, properties));
      }
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

/**
 * Whether a mapping's fields include every field `wanted` names, objects' and multi-fields' own
 * fields too. Parameters are not compared: the cluster reports them normalized (defaults left out,
 * `"true"` for `true`), and a mapping update cannot change an existing field's anyway.
 */
export function hasFields(held: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).every(([name, def]) => {
    const have = held[name] as Record<string, unknown> | undefined;
    if (!have) return false;
    const sub = (key: 'properties' | 'fields') => {
      const want = (def as Record<string, unknown> | null)?.[key] as Record<string, unknown> | undefined;
      return !want || hasFields((have[key] ?? {}) as Record<string, unknown>, want);
    };
    return sub('properties') && sub('fields');
  });
}
