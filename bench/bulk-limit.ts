/*
 * The Elasticsearch and OpenSearch scenarios' reference: loads the documents of an NDJSON file
 * (written by `feeder export`) with the engine's own client bulk helper (SINK picks the engine) into
 * a new index created by the feeder's own sink (the same settings and mappings: replicas 0, refresh
 * off), with the same flush size and concurrency, then refreshes. Prints {ms, documents}.
 */
import { Client as EsClient } from '@elastic/elasticsearch';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { loadConfig } from '../src/config/load';
import { createSink } from '../src/sink';
import { storedOnOpenSearch } from '../src/sink/cluster/opensearch';
import type { SinkDocument } from '../src/sink/types';
import { readDocuments, report } from './reference';

async function bulk(file: string): Promise<void> {
  const config = loadConfig(process.env);
  const docs = await readDocuments(file);
  const sink = createSink(config);
  const target = await sink.create('products', Date.now());
  // The stored form the sink writes (OpenSearch adds its facet field): the same bytes on the wire.
  const opensearch = config.SINK === 'opensearch';
  const options = { requestTimeout: config.ES_REQUEST_TIMEOUT_MS };
  const client = opensearch ? new OsClient({ node: config.OPENSEARCH_URL!, ...options }) : new EsClient({ node: config.ES_URL!, ...options });
  const stored = opensearch ? docs.map(storedOnOpenSearch) : docs;
  try {
    const started = performance.now();
    const helper = client.helpers as unknown as EsClient['helpers'];
    const result = await helper.bulk<SinkDocument>({
      datasource: stored,
      onDocument: (doc) => ({ index: { _index: target.name, _id: String(doc.id) } }),
      flushBytes: config.ES_FLUSH_BYTES,
      concurrency: config.ES_CONCURRENCY,
    });
    await (client as EsClient).indices.refresh({ index: target.name });
    const ms = performance.now() - started;
    if (result.failed > 0) throw new Error(`bulk helper: ${result.failed} documents failed`);
    report({ ms, documents: result.successful });
  } finally {
    await sink.drop(target);
    await client.close();
    await sink.close();
  }
}

bulk(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
