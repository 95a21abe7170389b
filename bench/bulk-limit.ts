/*
 * Scenario 2's reference: loads the documents of an NDJSON file (written by `feeder export`) with
 * the client's bulk helper into a new index created by the feeder's own sink (the same settings and
 * mappings: replicas 0, refresh off), with the same flush size and concurrency, then refreshes.
 * Prints {ms, documents}.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Client } from '@elastic/elasticsearch';
import { loadConfig } from '../src/config/load';
import { createSink } from '../src/sink';
import type { SinkDocument } from '../src/sink/types';

async function bulk(file: string): Promise<void> {
  const config = loadConfig(process.env);
  const docs: SinkDocument[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line) docs.push(JSON.parse(line) as SinkDocument);
  const sink = createSink(config);
  const target = await sink.create('products', Date.now());
  const client = new Client({ node: config.ES_URL!, requestTimeout: config.ES_REQUEST_TIMEOUT_MS });
  try {
    const started = performance.now();
    const result = await client.helpers.bulk<SinkDocument>({
      datasource: docs,
      onDocument: (doc) => ({ index: { _index: target.name, _id: String(doc.id) } }),
      flushBytes: config.ES_FLUSH_BYTES,
      concurrency: config.ES_CONCURRENCY,
    });
    await client.indices.refresh({ index: target.name });
    const ms = performance.now() - started;
    if (result.failed > 0) throw new Error(`bulk helper: ${result.failed} documents failed`);
    process.stdout.write(`${JSON.stringify({ ms, documents: result.successful })}\n`);
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
