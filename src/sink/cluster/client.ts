import type { SearchProfile } from '../../profile/schema';
import type { SinkDocument } from '../types';

/*
 * The seam between the cluster sink and one engine: a `Cluster` is that engine's client (each
 * engine's official client refuses to talk to the other), a `Dialect` is where the two engines
 * really differ (mapping types, how attribute facets are counted).
 */

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
  /** An index's mapping as the cluster holds it: its `_meta` and its fields. */
  getMapping(index: string): Promise<{ meta: Record<string, unknown> | undefined; properties: Record<string, unknown> }>;
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
