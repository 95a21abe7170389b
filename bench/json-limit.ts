/*
 * Scenario 1's reference: the bare cost of JSON. Reads the same source pages the feeder's crawl
 * reads (each resource by id keyset, the same page size) and the documents a rebuild produced
 * (NDJSON file), untimed; then times JSON.parse of every page plus JSON.stringify of every
 * document, best of three. Prints {ms, documents, pageBytes, docBytes}.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { request } from 'undici';
import { loadConfig } from '../src/config/load';
import { resourceDefs } from '../src/source/resources';

async function main(): Promise<void> {
  const docsFile = process.argv[2];
  const config = loadConfig(process.env);
  const base = `${config.AKINON_URL!.replace(/\/+$/, '')}/api/v1/remote/${config.AKINON_CHANNEL_ID}/data-warehouse/`;
  const pages: string[] = [];
  for (const def of resourceDefs(config)) {
    let after = 0;
    for (;;) {
      const url = new URL(`${def.path}/`, base);
      url.searchParams.set('id__gt', String(after));
      url.searchParams.set('sort', 'id');
      url.searchParams.set(config.AKINON_PAGE_SIZE_PARAM, String(config.AKINON_PAGE_SIZE));
      const res = await request(url, { headers: { authorization: `Token ${config.AKINON_TOKEN}` } });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`GET ${url.pathname} answered ${res.statusCode}`);
      pages.push(text);
      const body = JSON.parse(text) as { next: string | null; results: { id: number }[] };
      if (!body.next || body.results.length === 0) break;
      after = body.results[body.results.length - 1].id;
    }
  }
  const docs: unknown[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(docsFile), crlfDelay: Infinity });
  for await (const line of lines) if (line) docs.push(JSON.parse(line));

  let best = Infinity;
  let docBytes = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let sink = 0;
    for (const page of pages) sink += (JSON.parse(page) as { results: unknown[] }).results.length;
    docBytes = 0;
    for (const doc of docs) docBytes += JSON.stringify(doc).length;
    best = Math.min(best, performance.now() - started);
    if (sink < 0) throw new Error('unreachable');
  }
  const pageBytes = pages.reduce((n, p) => n + p.length, 0);
  process.stdout.write(`${JSON.stringify({ ms: best, documents: docs.length, pages: pages.length, pageBytes, docBytes })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
