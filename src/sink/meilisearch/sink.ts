import { MeiliSearch, MeiliSearchApiError, type Task } from 'meilisearch';
import PQueue from 'p-queue';
import { SinkError } from '../../errors';
import { readMapping } from '../mappings';
import { allSearchFields, facetFields, sortableFields, synonymMap } from '../../profile/query';
import {
  bucketRequests,
  EXACT,
  exactFacetFields,
  exactField,
  exactKey,
  hex,
  searchRequest,
  searchResult,
  totalOf,
  type MeiliQueryFacts,
  type MeiliSearchRequest,
} from './query';
import { searchPlan } from '../plan';
import { NdjsonBatch } from './batch';
import { facetValues } from '../values';
import type { SearchProfile } from '../../profile/schema';
import {
  live,
  type IndexKind,
  type IndexStamp,
  type Rejection,
  type SearchQuery,
  type SearchResult,
  type EngineSink,
  type SinkDocument,
  type Target,
  type EngineRequest,
  msSince,
  ORDER_FIELD,
  physicalName,
} from '../types';

export interface MeilisearchOptions {
  /** The configured search profile: the index settings it gives, the fields a query searches, facets. */
  profile: SearchProfile;
  url: string;
  apiKey?: string;
  indexName: string;
  payloadLimitBytes: number;
  concurrency: number;
  loadBatchSize: number;
  taskTimeoutMs: number;
}

interface IndexSettings {
  primaryKey: string;
  settings: Record<string, unknown>;
}

/** The numeric, filterable and sortable field scans walk, per kind. */

/** Failures that are one document's fault: the batch is split until the culprit stands alone. */
const DOCUMENT_ERRORS = new Set([
  'invalid_document_id',
  'missing_document_id',
  'invalid_document_fields',
  'invalid_document_geo_field',
  'document_fields_limit_reached',
]);

/** A task that did not succeed, with the engine's own {message, code}. */
export class MeilisearchTaskError extends SinkError {
  constructor(readonly task: Pick<Task, 'uid' | 'type' | 'status' | 'error'>) {
    super(`Meilisearch task ${task.uid} (${task.type}) ${task.status}: ${task.error?.message ?? 'no error given'} [${task.error?.code ?? 'unknown'}]`);
  }
  get engineCode(): string | undefined {
    return this.task.error?.code;
  }
}

/**
 * Meilisearch sink. Every write is a task that is awaited and checked (the client's wait resolves
 * on failed tasks too). A rebuild creates `<name>_<gen>`, applies settings before any document,
 * loads it, then `swap-indexes` exchanges it with the live index and the old content is deleted.
 * Batches are cut by payload bytes below the engine's limit; a failed task fails the run unless the
 * failure is one document's, which is then quarantined.
 */
export class MeilisearchSink implements EngineSink {
  readonly engine = 'meilisearch';
  private readonly client: MeiliSearch;
  private readonly mapping: Record<IndexKind, IndexSettings>;
  /** The facet fields filtered and counted through exact copies of their values (every terms facet). */
  private readonly exactFields: Set<string>;

  get indexName(): string {
    return this.opts.indexName;
  }

  get loadBatchSize(): number {
    return this.opts.loadBatchSize;
  }

  constructor(private readonly opts: MeilisearchOptions) {
    this.client = new MeiliSearch({ host: opts.url, apiKey: opts.apiKey, timeout: 60_000 });
    const mapping = readMapping<Record<IndexKind, IndexSettings>>('meilisearch.json');
    this.mapping = { ...mapping, products: { ...mapping.products, settings: meiliSettings(opts.profile, mapping.products.settings) } };
    this.exactFields = new Set(exactFacetFields(opts.profile));
  }

  async has(target: Target): Promise<boolean> {
    try {
      await this.client.index(target.name).getRawInfo();
      return true;
    } catch (err) {
      if (engineCode(err) === 'index_not_found') return false;
      throw wrap(`read index ${target.name}`, err);
    }
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const target = { kind, name: physicalName(live(this, kind).name, gen) };
    await this.drop(target);
    await this.task(`create index ${target.name}`, () => this.client.createIndex(target.name, { primaryKey: this.mapping[kind].primaryKey }));
    try {
      // Settings before documents: indexing once with the final settings, not twice.
      await this.task(`apply settings to ${target.name}`, () => this.client.index(target.name).updateSettings(this.mapping[kind].settings));
    } catch (err) {
      await this.drop(target).catch(() => undefined);
      throw err;
    }
    return target;
  }

  /**
   * Not async: each document is serialized once, here, before anything is awaited; its bytes are
   * what is measured, sent, and split on a document error. The documents themselves are not held
   * while the engine indexes them: a rebuild keeps several batches queued in the engine.
   */
  write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    const rejected: Rejection[] = [];
    const batches: NdjsonBatch[] = [];
    let batch = new NdjsonBatch();
    for (const doc of docs) {
      const json = JSON.stringify(target.kind === 'products' ? this.toStored(doc) : doc);
      const size = Buffer.byteLength(json) + 1;
      if (size > this.opts.payloadLimitBytes) {
        rejected.push({ id: String(doc.id), reason: `document of ${size} bytes exceeds MEILI_PAYLOAD_LIMIT_BYTES=${this.opts.payloadLimitBytes}`, raw: doc });
        continue;
      }
      if (batch.bytes + size > this.opts.payloadLimitBytes && batch.size) {
        batches.push(batch.seal());
        batch = new NdjsonBatch();
      }
      batch.add(String(doc.id), json, size);
    }
    if (batch.size) batches.push(batch.seal());
    return this.addBatches(target, batches, rejected);
  }

  private async addBatches(target: Target, batches: readonly NdjsonBatch[], rejected: Rejection[]): Promise<Rejection[]> {
    const queue = new PQueue({ concurrency: this.opts.concurrency });
    await Promise.all(batches.map((b) => queue.add(() => this.addBatch(target, b, rejected))));
    return rejected;
  }

  /** Adds one batch as one task; on one document's error, halves it until the culprit stands alone. */
  private async addBatch(target: Target, batch: NdjsonBatch, rejected: Rejection[]): Promise<void> {
    try {
      await this.task(`add documents to ${target.name}`, () =>
        this.client.index(target.name).addDocumentsFromString(batch.text(), 'application/x-ndjson', { primaryKey: this.mapping[target.kind].primaryKey }),
      );
    } catch (err) {
      if (!(err instanceof MeilisearchTaskError) || !DOCUMENT_ERRORS.has(err.engineCode ?? '')) throw err;
      // Additions are atomic per task: find the documents at fault by halving the batch.
      if (batch.size === 1) {
        rejected.push({
          id: batch.ids[0],
          reason: `${err.task.error?.message} [${err.engineCode}]`,
          raw: this.fromStored(JSON.parse(batch.text()) as SinkDocument),
        });
        return;
      }
      const half = Math.ceil(batch.size / 2);
      await this.addBatch(target, batch.slice(0, half), rejected);
      await this.addBatch(target, batch.slice(half, batch.size), rejected);
    }
  }

  async delete(target: Target, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = ids.slice(i, i + 10_000);
      await this.task(`delete documents from ${target.name}`, () => this.client.index(target.name).deleteDocuments(chunk));
    }
  }

  async swap(target: Target, stamp: IndexStamp): Promise<void> {
    const publicIndex = live(this, target.kind);
    if (!(await this.has(publicIndex))) {
      // swap-indexes needs both sides: the first rebuild swaps with an empty index of the live name.
      await this.task(`create index ${publicIndex.name}`, () =>
        this.client.createIndex(publicIndex.name, { primaryKey: this.mapping[target.kind].primaryKey }),
      );
    }
    await this.task(`swap ${publicIndex.name} and ${target.name}`, () => this.client.swapIndexes([{ indexes: [publicIndex.name, target.name] } as never]));
    // After the swap the physical name holds the previous live content.
    await this.drop(target);
    await this.restamp(target.kind, stamp);
  }

  /** Meilisearch keeps no metadata on an index: its stamp is a one-document companion index. */
  async restamp(kind: IndexKind, stamp: IndexStamp): Promise<void> {
    const name = live(this, kind).name;
    await this.task(`record the source of ${name}`, () =>
      this.client.index(originIndex(name)).addDocuments([{ id: 'origin', source: stamp.source, profile: stamp.profile }], { primaryKey: 'id' }),
    );
  }

  async stamp(kind: IndexKind): Promise<IndexStamp | null> {
    const name = originIndex(live(this, kind).name);
    if (!(await this.has({ kind, name }))) return null;
    const doc = await this.call(`read the source of ${live(this, kind).name}`, () =>
      this.client.index(name).getDocument<{ source?: unknown; profile?: unknown }>('origin'),
    );
    if (typeof doc.source !== 'string') return null;
    return { source: doc.source, profile: typeof doc.profile === 'string' ? doc.profile : null };
  }

  async drop(target: Target): Promise<void> {
    if (!(await this.has(target))) return;
    await this.task(`delete index ${target.name}`, () => this.client.deleteIndex(target.name));
  }

  async count(target: Target): Promise<number> {
    if (!(await this.has(target))) return 0;
    return (await this.call(`count ${target.name}`, () => this.client.index(target.name).getStats())).numberOfDocuments;
  }

  async get(target: Target, ids: readonly string[]): Promise<Map<string, SinkDocument>> {
    const out = new Map<string, SinkDocument>();
    if (ids.length === 0 || !(await this.has(target))) return out;
    const field = ORDER_FIELD[target.kind];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await this.call(`get documents from ${target.name}`, () =>
        this.client.index(target.name).getDocuments<SinkDocument>({ filter: `${field} IN [${chunk.join(', ')}]`, limit: chunk.length }),
      );
      for (const d of res.results) out.set(String(d.id), this.fromStored(d));
    }
    return out;
  }

  async *scan(target: Target, pageSize = 1000): AsyncIterable<SinkDocument[]> {
    if (!(await this.has(target))) return;
    const field = ORDER_FIELD[target.kind];
    const size = Math.min(pageSize, 1000); // pagination.maxTotalHits caps one search
    let after = -1;
    for (;;) {
      const res = await this.call(`scan ${target.name}`, () =>
        this.client.index(target.name).search<SinkDocument>('', { filter: `${field} > ${after}`, sort: [`${field}:asc`], limit: size }),
      );
      if (res.hits.length === 0) return;
      after = Number(res.hits[res.hits.length - 1][field]);
      yield res.hits.map((d) => this.fromStored(d));
    }
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const index = this.client.index(live(this, 'products').name);
    const facts: MeiliQueryFacts = { profile: this.opts.profile, exactFields: this.exactFields, exact: true, searchOn: true };
    const plan = searchPlan(q, this.opts.profile);
    if (!plan) return { total: 0, hits: [] }; // typed, but not a word in it (docs/CONTRACT.md §5)
    const explain: EngineRequest[] | undefined = q.explain ? [] : undefined;
    const send = async (req: MeiliSearchRequest) => {
      const started = performance.now();
      const res = await index.search<SinkDocument>(req.q, req.params);
      explain?.push({
        engine: 'meilisearch',
        request: { method: 'POST', path: `/indexes/${index.uid}/search`, body: { q: req.q, ...req.params } },
        ms: msSince(started),
      });
      return res;
    };
    const res = await this.call('search', async () => {
      for (;;) {
        try {
          return await send(searchRequest(plan, facts));
        } catch (err) {
          const code = engineCode(err);
          // No index yet (before the first rebuild): no matches, found without a second round trip.
          if (code === 'index_not_found') return null;
          // The live index was built with another profile (its rollout is under way): search what it has.
          if (facts.searchOn && code === 'invalid_search_attributes_to_search_on') facts.searchOn = false;
          // An index built before the exact copies of facet values: filter and count the fields themselves.
          else if (facts.exact && (code === 'invalid_search_filter' || code === 'invalid_search_facets')) facts.exact = false;
          else throw err;
        }
      }
    });
    if (!res) return { total: 0, hits: [], ...(explain ? { explain } : {}) };
    // The buckets' counts, asked with what the listing settled on (exact copies, searched fields), all at once.
    const counts = q.buckets
      ? Object.fromEntries(
          await Promise.all(
            bucketRequests(plan, facts).map(async ({ facet, requests }): Promise<[string, number[]]> => [
              facet,
              await Promise.all(requests.map(async (req) => totalOf(await this.call('search', () => send(req))))),
            ]),
          ),
        )
      : undefined;
    return { ...searchResult(plan, res, facts, (d) => this.fromStored(d), counts), ...(explain ? { explain } : {}) };
  }

  /**
   * A products document as stored: with an exact copy of each facet value (hex of its UTF-8) under
   * `feeder_exact`, because Meilisearch filters and counts strings case-insensitively and compares
   * numeric strings as numbers (`integration_color = sari` found `SARI`, `size = 38.0` found `38`),
   * where the contract compares values exactly. `fromStored` removes it again.
   */
  private toStored(doc: SinkDocument): SinkDocument {
    const exact: Record<string, string[]> = {};
    for (const field of this.exactFields) exact[exactKey(field)] = facetValues(doc, field).map((v) => hex(v.value));
    return { ...doc, [EXACT]: exact };
  }

  private fromStored(doc: SinkDocument): SinkDocument {
    if (!(EXACT in doc)) return doc;
    const { [EXACT]: _exact, ...rest } = doc;
    return rest;
  }

  async close(): Promise<void> {
    /* fetch-based client: nothing to close */
  }

  /** Enqueues a task, waits for it, and fails unless it succeeded. */
  private async task(action: string, enqueue: () => Promise<{ taskUid: number }>): Promise<Task> {
    const enqueued = await this.call(action, enqueue);
    const task = await this.call(`wait for task ${enqueued.taskUid} (${action})`, () =>
      this.client.tasks.waitForTask(enqueued.taskUid, { timeout: this.opts.taskTimeoutMs, interval: 25 }),
    );
    if (task.status !== 'succeeded') throw new MeilisearchTaskError(task);
    return task;
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw wrap(action, err);
    }
  }
}

/** Always filterable: ids for keyset scans, and the storefront's category, price and status filters. */
const BASE_FILTERABLE = ['product_id', 'category_ids', 'price', 'is_active', 'is_listable', 'currency'];

/**
 * The products index settings a profile gives, over the fixed ones of mappings/meilisearch.json
 * (ranking rules, typo tolerance, pagination): searchable attributes in the profile's order (each
 * locale's after), filterable facets, sortable fields, synonyms and stop words.
 */
export function meiliSettings(profile: SearchProfile, base: Record<string, unknown>): Record<string, unknown> {
  const synonyms = Object.fromEntries(synonymMap(profile));
  return {
    ...base,
    searchableAttributes: allSearchFields(profile).map((f) => f.field),
    filterableAttributes: [...new Set([...BASE_FILTERABLE, ...facetFields(profile), ...exactFacetFields(profile).map(exactField)])],
    sortableAttributes: [...new Set([...sortableFields(profile), 'product_id'])],
    ...(Object.keys(synonyms).length ? { synonyms } : {}),
    ...(profile.stopWords.length ? { stopWords: profile.stopWords } : {}),
  };
}

/** The companion index holding which source built a public index. */
function originIndex(publicName: string): string {
  return `${publicName}__origin`;
}

function engineCode(err: unknown): string | undefined {
  return err instanceof MeiliSearchApiError ? err.cause?.code : undefined;
}

/** Client errors become SinkErrors with the engine's message and code; the API key never appears. */
function wrap(action: string, err: unknown): SinkError {
  if (err instanceof SinkError) return err;
  if (err instanceof MeiliSearchApiError && err.cause?.code && err.cause.message) {
    return new SinkError(`Meilisearch could not ${action}: ${err.cause.message} [${err.cause.code}]`, { cause: err });
  }
  if (err instanceof MeiliSearchApiError) {
    // An answer without Meilisearch's {message, code} body: something else listens at MEILI_URL.
    const status = (err as { response?: { status?: number } }).response?.status;
    return new SinkError(
      `Meilisearch could not ${action}: the server answered ${status ?? 'an error'} without a Meilisearch error body (is MEILI_URL a Meilisearch?)`,
      {
        cause: err,
      },
    );
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new SinkError(`Meilisearch could not ${action}: ${message}`, { cause: err });
}
