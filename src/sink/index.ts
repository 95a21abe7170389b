import type { Config } from '../config/schema';
import fs from 'node:fs';
import { ConfigError, NoLiveIndexError, describeFsError } from '../errors';
import { SqliteSink } from './sqlite';
import { ElasticsearchSink } from './elasticsearch';
import { MeilisearchSink } from './meilisearch';
import { exists, type EngineSink } from './types';

/** The sink chosen by SINK. Unknown kinds cannot get here: the config schema lists what exists. */
export function createSink(config: Config): EngineSink {
  switch (config.SINK) {
    case 'sqlite':
      try {
        return new SqliteSink(config.SQLITE_PATH, config.INDEX_NAME);
      } catch (err) {
        throw new ConfigError('SQLITE_PATH', `cannot open ${config.SQLITE_PATH} (${describeFsError(err)})`);
      }
    case 'elasticsearch':
      return new ElasticsearchSink({
        url: config.ES_URL!,
        apiKey: config.ES_API_KEY,
        username: config.ES_USERNAME,
        password: config.ES_PASSWORD,
        caFile: config.ES_CA_FILE,
        tlsVerify: config.ES_TLS_VERIFY,
        indexName: config.INDEX_NAME,
        replicas: config.ES_REPLICAS,
        flushBytes: config.ES_FLUSH_BYTES,
        concurrency: config.ES_CONCURRENCY,
        requestTimeoutMs: config.ES_REQUEST_TIMEOUT_MS,
        swapGraceMs: config.ES_SWAP_GRACE_MS,
      });
    case 'meilisearch':
      return new MeilisearchSink({
        url: config.MEILI_URL!,
        apiKey: config.MEILI_API_KEY,
        indexName: config.INDEX_NAME,
        payloadLimitBytes: config.MEILI_PAYLOAD_LIMIT_BYTES,
        concurrency: config.MEILI_CONCURRENCY,
        taskTimeoutMs: config.MEILI_TASK_TIMEOUT_MS,
      });
    default:
      throw new ConfigError('SINK', `unknown sink ${String(config.SINK)}`);
  }
}

/**
 * The live index for a read-only command (search, export), or a NoLiveIndexError: reading never
 * creates an index (an embedded index file included) and reports success.
 */
export async function openLiveIndex(config: Config): Promise<EngineSink> {
  if (config.SINK === 'sqlite' && !fs.existsSync(config.SQLITE_PATH)) throw new NoLiveIndexError('read');
  const sink = createSink(config);
  if (!(await exists(sink, 'products'))) {
    await sink.close();
    throw new NoLiveIndexError('read');
  }
  return sink;
}

export type { EngineSink, Sink } from './types';
