/*
 * The Meilisearch scenario's reference: the official client's `addDocuments` loads the documents of
 * an NDJSON file (written by `feeder export`) into a new index created by the feeder's own sink (the
 * same primary key, with the same settings applied first), in batches of MEILI_LOAD_BATCH_SIZE
 * documents as the feeder's rebuild writes them. Every batch is enqueued at once, as a direct loader would, and every task
 * is waited to completion and checked. Prints {ms, documents}.
 */
import { MeiliSearch } from 'meilisearch';
import { loadConfig } from '../src/config/load';
import { createSink } from '../src/sink';
import { readDocuments, report } from './reference';

async function load(file: string): Promise<void> {
  const config = loadConfig(process.env);
  const docs = await readDocuments(file);
  const sink = createSink(config);
  const target = await sink.create('products', Date.now());
  const client = new MeiliSearch({ host: config.MEILI_URL!, apiKey: config.MEILI_API_KEY });
  try {
    const index = client.index(target.name);
    const started = performance.now();
    const tasks = [];
    for (let i = 0; i < docs.length; i += config.MEILI_LOAD_BATCH_SIZE)
      tasks.push(await index.addDocuments(docs.slice(i, i + config.MEILI_LOAD_BATCH_SIZE), { primaryKey: 'id' }));
    const done = await client.tasks.waitForTasks(
      tasks.map((t) => t.taskUid),
      { timeout: 3_600_000, interval: 50 },
    );
    const ms = performance.now() - started;
    const failed = done.filter((t) => t.status !== 'succeeded');
    if (failed.length) throw new Error(`addDocuments: ${failed.length} tasks did not succeed: ${JSON.stringify(failed[0].error)}`);
    const { numberOfDocuments } = await index.getStats();
    report({ ms, documents: numberOfDocuments });
  } finally {
    await sink.drop(target);
    await sink.close();
  }
}

load(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
