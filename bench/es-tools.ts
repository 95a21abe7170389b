/*
 * Scenario 2's reference and helpers, against the benchmark's Elasticsearch:
 *   export <file>  writes the live product documents as NDJSON (the identical, pre-built documents)
 *   bulk <file>    loads them with the client's bulk helper into a new index created by the
 *                  feeder's own sink (the same settings and mappings: replicas 0, refresh off),
 *                  with the same flush size and concurrency, then refreshes; prints {ms, documents}.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Client } from '@elastic/elasticsearch';
import { loadConfig } from '../src/config/load';
import { createSink } from '../src/sink';
import type { SinkDocument } from '../src/sink/types';

async function exportDocs(file: string): Promise<void> {
  const sink = createSink(loadConfig(process.env));
  const out = fs.createWriteStream(file);
  let n = 0;
  for await (const page of sink.scan(sink.live('products'), 2000)) {
    for (const doc of page) {
      if (!out.write(`${JSON.stringify(doc)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      n++;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  await sink.close();
  process.stdout.write(`${JSON.stringify({ documents: n })}\n`);
}

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

const [cmd, file] = process.argv.slice(2);
(cmd === 'export' ? exportDocs(file) : bulk(file)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
