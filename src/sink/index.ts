import type { Config } from '../config/schema';
import fs from 'node:fs';
import { ConfigError, NoLiveIndexError, describeFsError } from '../errors';
import { SqliteSearchPool, SqliteSink } from './sqlite';
import { CachedSearcher } from './cache';
import { elasticsearchSink } from './cluster/elasticsearch';
import { openSearchSink } from './cluster/opensearch';
import { MeilisearchSink } from './meilisearch/sink';
import { exists, type EngineSink, type ServedIndex } from './types';
import { configuredProfile } from '../profile/load';
import type { SearchProfile } from '../profile/schema';

/** The sink chosen by SINK. Unknown kinds cannot get here: the config schema lists what exists. */
export function createSink(config: Config, profile: SearchProfile = configuredProfile(config)): EngineSink {
  switch (config.SINK) {
    case 'sqlite':
      try {
        return new SqliteSink(config.SQLITE_PATH, config.INDEX_NAME, profile);
      } catch (err) {
        throw new ConfigError('SQLITE_PATH', `cannot open ${config.SQLITE_PATH} (${describeFsError(err)})`);
      }
    case 'elasticsearch':
      return elasticsearchSink({
        ...clusterOptions(config, profile),
        url: config.ES_URL!,
        apiKey: config.ES_API_KEY,
        username: config.ES_USERNAME,
        password: config.ES_PASSWORD,
        caFile: config.ES_CA_FILE,
        tlsVerify: config.ES_TLS_VERIFY,
      });
    case 'opensearch':
      return openSearchSink({
        ...clusterOptions(config, profile),
        url: config.OPENSEARCH_URL!,
        username: config.OPENSEARCH_USERNAME,
        password: config.OPENSEARCH_PASSWORD,
        caFile: config.OPENSEARCH_CA_FILE,
        tlsVerify: config.OPENSEARCH_TLS_VERIFY,
      });
    case 'meilisearch':
      return new MeilisearchSink({
        profile,
        url: config.MEILI_URL!,
        apiKey: config.MEILI_API_KEY,
        indexName: config.INDEX_NAME,
        payloadLimitBytes: config.MEILI_PAYLOAD_LIMIT_BYTES,
        concurrency: config.MEILI_CONCURRENCY,
        loadBatchSize: config.MEILI_LOAD_BATCH_SIZE,
        taskTimeoutMs: config.MEILI_TASK_TIMEOUT_MS,
      });
    default:
      throw new ConfigError('SINK', `unknown sink ${String(config.SINK)}`);
  }
}

/** What Elasticsearch and OpenSearch sinks share: the profile, the index name and the ES_* tuning settings (one protocol). */
function clusterOptions(config: Config, profile: SearchProfile) {
  return {
    profile,
    indexName: config.INDEX_NAME,
    replicas: config.ES_REPLICAS,
    flushBytes: config.ES_FLUSH_BYTES,
    concurrency: config.ES_CONCURRENCY,
    requestTimeoutMs: config.ES_REQUEST_TIMEOUT_MS,
    swapGraceMs: config.ES_SWAP_GRACE_MS,
    searchTimeoutMs: config.SEARCH_TIMEOUT_MS,
  };
}

/**
 * The live index for a read-only command (search, export), or a NoLiveIndexError: reading never
 * creates an index (an embedded index file included) and reports success.
 */
export async function openLiveIndex(config: Config, profile: SearchProfile = configuredProfile(config)): Promise<EngineSink> {
  if (config.SINK === 'sqlite' && !fs.existsSync(config.SQLITE_PATH)) throw new NoLiveIndexError('read');
  const sink = createSink(config, profile);
  if (!(await exists(sink, 'products'))) {
    await sink.close();
    throw new NoLiveIndexError('read');
  }
  return sink;
}

/** What the storefront search API reads: searches of the public index, and the categories index. */

/**
 * The searches `serve` answers, over the run's engine. The embedded index searches in threads of
 * its own with a time budget, and remembers recent results (by bytes) until the file changes; an
 * engine with a server of its own is asked directly.
 */
export function servedIndex(
  config: Config,
  profile: SearchProfile,
  engine: EngineSink,
  hooks: { onCacheLookup?: (hit: boolean) => void } = {},
): { index: ServedIndex; cache: CachedSearcher | null; close(): Promise<void> } {
  if (!(engine instanceof SqliteSink)) return { index: engine, cache: null, close: async () => undefined };
  engine.prepareSearch();
  const pool = new SqliteSearchPool({
    file: config.SQLITE_PATH,
    indexName: config.INDEX_NAME,
    profile,
    threads: config.SEARCH_THREADS,
    timeoutMs: config.SEARCH_TIMEOUT_MS,
  });
  const cache = new CachedSearcher(pool, {
    maxBytes: config.SEARCH_CACHE_MAX_BYTES,
    version: () => engine.version(),
    onLookup: hooks.onCacheLookup,
    splitCounts: true,
  });
  const index: ServedIndex = {
    indexName: engine.indexName,
    search: (q) => cache.search(q),
    count: (t) => engine.count(t),
    get: (t, ids) => engine.get(t, ids),
    scan: (t, size) => engine.scan(t, size),
  };
  return { index, cache, close: () => pool.close() };
}

export type { EngineSink, Sink } from './types';
