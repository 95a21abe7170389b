/*
 * `npm run bench`: every scenario of docs/PERFORMANCE.md, each beside its reference in the same run.
 *
 *   1. pipeline vs. the JSON limit   (rebuild of BENCH_PRODUCTS into a discarding sink)
 *   2. Elasticsearch vs. the bulk helper (the same catalog, real Elasticsearch)
 *   3. incremental cost               (100 edits, then one sync)
 *   4. memory growth                  (peak RSS of rebuilds at 10k, 100k, 1M)
 *   5. source politeness              (requests vs. the minimum for the page size)
 *   6. Meilisearch vs. addDocuments    (the same documents, real Meilisearch, the official client)
 *   7. OpenSearch vs. the bulk helper  (the same documents, real OpenSearch, its own client)
 *   8. the search API under load beside each engine's own client
 *  10. every sort of the embedded index at concurrency 16, with /healthz timed beside it
 *  11. freshness: serve on its defaults, 110 edits over 60 s, each timed until searchable
 *  12. a Zipf query log (10,000 requests) through /list/ on every sink, beside each engine's client
 *
 * The source is the sandbox in its own process; every feeder run is a process of its own, so its
 * peak RSS is the run's. Writes bench/results/latest.json, bench/results/chart.svg and the results
 * table in docs/PERFORMANCE.md. Sizes can be shrunk for a smoke run (BENCH_PRODUCTS, BENCH_SMALL,
 * BENCH_LARGE); such a run writes bench/results/smoke.json and leaves the docs alone.
 * BENCH_PROFILE=1 also writes a CPU profile of scenario 1 and its summary (bench/results/profile.txt).
 * `--render` only redoes the chart and the docs table from bench/results/latest.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load';
import { NODE_FLAGS } from '../src/platform/node-flags';
import { resourceDefs } from '../src/source/resources';
import { startElasticsearch } from '../test/support/elasticsearch';
import { startMeilisearch } from '../test/support/meilisearch';
import { startOpenSearch } from '../test/support/opensearch';
import { summarizeProfile } from './profile';
import { render, reportTable, SEARCH_KINDS, type QueryLogFigures, type Results, type SinkSearch } from './report';
import type { FeederReport } from './protocol';
import { SandboxProcess } from './sandbox-driver';
import {
  categoryCount,
  distinctRatio,
  elasticsearchLogCaller,
  LOG_REQUESTS,
  meilisearchLogCaller,
  openSearchLogCaller,
  queryLog,
  type LogRequest,
} from './query-log';
import { apiCaller, elasticsearchCaller, load, meilisearchCaller, sortPath, type LoadFigures, type QueryKind } from './search';
import { elasticsearchProbe, measureFreshness, sqliteProbe, type FreshnessFigures, type Probe } from './freshness';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'bench', 'results');
const HERE = __dirname;
const PAGE_SIZE = 100;
const EDITS = 100;
/** Scenario 9: products, the source's added latency, and the source client's default request rate (AKINON_RATE_LIMIT). */
const RATE_LIMITED_PRODUCTS = Number(process.env.BENCH_RATE_LIMITED ?? 20_000);
const RATE_LIMITED_LATENCY_MS = 50;
const DEFAULT_RATE = 5;

const sizes = {
  main: Number(process.env.BENCH_PRODUCTS ?? 100_000),
  small: Number(process.env.BENCH_SMALL ?? 10_000),
  large: Number(process.env.BENCH_LARGE ?? 1_000_000),
};
const official = sizes.main === 100_000 && sizes.small === 10_000 && sizes.large === 1_000_000;
let work = '';

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-bench-'));
  log(`working in ${work}; sizes ${JSON.stringify(sizes)}`);
  const [es, os_, meili] = await Promise.all([startElasticsearch(), startOpenSearch(), startMeilisearch()]);
  let sandbox: SandboxProcess | null = null;
  try {
    sandbox = await SandboxProcess.start(sizes.main);
    const rows = sandbox.rows;

    log(`scenario 1: rebuild of ${sizes.main} products into the discarding sink`);
    const pipeline = await feeder('rebuild', 'discard', sandbox, 'pipeline', { profile: process.env.BENCH_PROFILE === '1' });
    const served = await sandbox.served();

    // Elasticsearch is a JVM: its first load runs slower while it warms up. A first rebuild warms
    // it and yields the documents both references use (exported before any edit); then the
    // bulk helper and the measured rebuild run one after the other on the warm node.
    log('scenario 2: warm-up rebuild into Elasticsearch, documents exported');
    const esEnv = (index: string) => ({ SINK: 'elasticsearch', ES_URL: es.url, INDEX_NAME: index });
    await feeder('rebuild', 'engine', sandbox, 'es-warmup', { env: esEnv('bench_warmup') });
    const docsFile = path.join(work, 'documents.ndjson');
    await node(path.join(ROOT, 'dist', 'cli', 'main.js'), ['export', '--out', docsFile], sandboxEnv(sandbox, 'es-warmup', esEnv('bench_warmup')), [], {
      lastLine: false,
    });
    log('scenario 2: the bulk helper loads the same documents, then the measured rebuild');
    const bulkRef = JSON.parse(await node(path.join(HERE, 'bulk-limit.js'), [docsFile], sandboxEnv(sandbox, 'bulk', esEnv('bench_bulk')))) as {
      ms: number;
      documents: number;
    };
    log(`  bulk helper: ${bulkRef.documents} documents in ${Math.round(bulkRef.ms)} ms`);
    const esRun = await feeder('rebuild', 'engine', sandbox, 'es', { env: esEnv('bench_products') });

    log('scenario 7: warm-up rebuild into OpenSearch, then its bulk helper and the measured rebuild');
    const osEnv = (index: string) => ({ SINK: 'opensearch', OPENSEARCH_URL: os_.url, INDEX_NAME: index });
    await feeder('rebuild', 'engine', sandbox, 'os-warmup', { env: osEnv('bench_warmup') });
    const osBulkRef = JSON.parse(await node(path.join(HERE, 'bulk-limit.js'), [docsFile], sandboxEnv(sandbox, 'os-bulk', osEnv('bench_bulk')))) as {
      ms: number;
      documents: number;
    };
    log(`  OpenSearch bulk helper: ${osBulkRef.documents} documents in ${Math.round(osBulkRef.ms)} ms`);
    const osRun = await feeder('rebuild', 'engine', sandbox, 'os', { env: osEnv('bench_products') });

    log('scenario 6: addDocuments loads the same documents into Meilisearch, then the measured rebuild');
    const meiliEnv = (index: string) => ({ SINK: 'meilisearch', MEILI_URL: meili.url, MEILI_API_KEY: meili.apiKey, INDEX_NAME: index });
    const meiliRef = JSON.parse(await node(path.join(HERE, 'meili-direct.js'), [docsFile], sandboxEnv(sandbox, 'meili-direct', meiliEnv('bench_direct')))) as {
      ms: number;
      documents: number;
    };
    log(`  addDocuments: ${meiliRef.documents} documents in ${Math.round(meiliRef.ms)} ms`);
    const meiliRun = await feeder('rebuild', 'engine', sandbox, 'meili', { env: meiliEnv('bench_products') });

    log(`scenario 3: ${EDITS} edits, then one sync`);
    const changed = await sandbox.edit(EDITS);
    await sandbox.resetServed();
    const syncRun = await feeder('sync', 'engine', sandbox, 'es', { env: esEnv('bench_products') });
    const syncServed = await sandbox.served();

    log("scenario 8: the search API under load beside each engine's own client");
    const sqliteEnv = { SINK: 'sqlite', INDEX_NAME: 'bench_products' };
    await feeder('rebuild', 'engine', sandbox, 'sqlite', { env: sqliteEnv });
    log('scenario 10: every sort of the embedded index at concurrency 16, /healthz timed beside it');
    const sorts = await sortScenario(sandbox, sqliteEnv);
    const search = {
      search_sqlite: await searchScenario(sandbox, 'sqlite', sqliteEnv, null),
      search_elasticsearch: await searchScenario(sandbox, 'es', esEnv('bench_products'), (kind) => elasticsearchCaller(es.url, 'bench_products', kind)),
      search_meilisearch: await searchScenario(sandbox, 'meili', meiliEnv('bench_products'), (kind) =>
        meilisearchCaller(meili.url, meili.apiKey, 'bench_products', kind),
      ),
    };

    log("scenario 12: a Zipf query log replayed through /list/ on every sink, beside each engine's own client");
    const log12 = queryLog(LOG_REQUESTS, 12, categoryCount());
    const warm12 = queryLog(500, 1212, categoryCount());
    const querylog = {
      sqlite: await queryLogScenario(sandbox, 'sqlite', sqliteEnv, log12, warm12, null),
      elasticsearch: await queryLogScenario(sandbox, 'es', esEnv('bench_products'), log12, warm12, (l) => elasticsearchLogCaller(es.url, 'bench_products', l)),
      opensearch: await queryLogScenario(sandbox, 'os', osEnv('bench_products'), log12, warm12, (l) => openSearchLogCaller(os_.url, 'bench_products', l)),
      meilisearch: await queryLogScenario(sandbox, 'meili', meiliEnv('bench_products'), log12, warm12, (l) =>
        meilisearchLogCaller(meili.url, meili.apiKey, 'bench_products', l),
      ),
    };

    log('scenario 11: freshness with serve on its defaults, 110 edits over 60 s (embedded, then Elasticsearch)');
    const fresh = await freshnessScenario(sandbox, [
      { name: 'sqlite', env: sqliteEnv, probe: () => sqliteProbe(sandboxEnv(sandbox!, 'sqlite').SQLITE_PATH, 'bench_products') },
      { name: 'es', env: esEnv('bench_products'), probe: () => elasticsearchProbe(es.url, 'bench_products') },
    ]);

    log('scenario 1 reference: bare JSON of the same pages and documents');
    const jsonRef = JSON.parse(await node(path.join(HERE, 'json-limit.js'), [docsFile], sandboxEnv(sandbox, 'json'))) as {
      ms: number;
      documents: number;
      pages: number;
      pageBytes: number;
      docBytes: number;
    };
    await sandbox.stop();
    sandbox = null;

    log(`scenario 9: rebuild of ${RATE_LIMITED_PRODUCTS} products from a source ${RATE_LIMITED_LATENCY_MS} ms away, at the default politeness`);
    const limited = await rateLimitedRun(es.url);
    log(`  ${limited.requests} requests in ${Math.round(limited.ms)} ms; the rate alone needs ${Math.round(limited.minMs)} ms`);

    log(`scenario 4: rebuilds of ${sizes.small} and ${sizes.large} products into the discarding sink, each with ${EDITS} edits and a sync after`);
    const small = await sizedRun(sizes.small);
    const large = await sizedRun(sizes.large);

    // A ratio over a run that lost documents would flatter it: every run must hold the catalog.
    expectDocuments('the pipeline rebuild', pipeline.documents, sizes.main);
    expectDocuments('the Elasticsearch rebuild', esRun.documents, sizes.main);
    expectDocuments('the bulk helper', bulkRef.documents, sizes.main);
    expectDocuments('the OpenSearch rebuild', osRun.documents, sizes.main);
    expectDocuments('the OpenSearch bulk helper', osBulkRef.documents, sizes.main);
    expectDocuments('the Meilisearch rebuild', meiliRun.documents, sizes.main);
    expectDocuments('addDocuments', meiliRef.documents, sizes.main);
    expectDocuments('the JSON reference', jsonRef.documents, sizes.main);
    expectDocuments(`the ${sizes.small} rebuild`, small.documents, sizes.small);
    expectDocuments('the rate-limited rebuild', limited.documents, RATE_LIMITED_PRODUCTS);
    expectDocuments(`the ${sizes.large} rebuild`, large.documents, sizes.large);

    // Scenario 5: every crawled resource read once, a page per PAGE_SIZE rows, plus the one
    // request that reads the newest tombstone id and the source clock.
    const crawled = resourceDefs(loadConfig({})).map((d) => d.path);
    const minRequests = crawled.reduce((n, p) => n + Math.max(1, Math.ceil(rows[p] / PAGE_SIZE)), 0) + 1;
    // A sync's minimum: the tombstone page and one window page per resource.
    const syncMinRequests = crawled.length + 1;

    const rate = (docs: number, ms: number) => docs / (ms / 1000);
    const results = {
      pipeline_docs_per_s: round(rate(pipeline.documents, pipeline.ms)),
      json_docs_per_s: round(rate(jsonRef.documents, jsonRef.ms)),
      pipeline_vs_json_ratio: round(rate(pipeline.documents, pipeline.ms) / rate(jsonRef.documents, jsonRef.ms), 3),
      es_docs_per_s: round(rate(esRun.documents, esRun.ms)),
      bulk_docs_per_s: round(rate(bulkRef.documents, bulkRef.ms)),
      es_vs_bulk_ratio: round(rate(esRun.documents, esRun.ms) / rate(bulkRef.documents, bulkRef.ms), 3),
      rebuild_es_ms: round(esRun.ms),
      meili_docs_per_s: round(rate(meiliRun.documents, meiliRun.ms)),
      meili_direct_docs_per_s: round(rate(meiliRef.documents, meiliRef.ms)),
      meili_vs_direct_ratio: round(rate(meiliRun.documents, meiliRun.ms) / rate(meiliRef.documents, meiliRef.ms), 3),
      os_docs_per_s: round(rate(osRun.documents, osRun.ms)),
      os_bulk_docs_per_s: round(rate(osBulkRef.documents, osBulkRef.ms)),
      os_vs_bulk_ratio: round(rate(osRun.documents, osRun.ms) / rate(osBulkRef.documents, osBulkRef.ms), 3),
      sync_ms: round(syncRun.ms),
      sync_fraction_of_rebuild: round(syncRun.ms / esRun.ms, 4),
      sync_docs_written: syncRun.written,
      sync_docs_changed: changed.length,
      sync_requests: syncServed.total,
      sync_requests_min: syncMinRequests,
      rss_mb_10k: round(small.peakRssMb),
      rss_mb_100k: round(pipeline.peakRssMb),
      rss_mb_1m: round(large.peakRssMb),
      rss_1m_vs_100k: round(large.peakRssMb / pipeline.peakRssMb, 2),
      rss_mb_es: round(esRun.peakRssMb),
      rss_mb_os: round(osRun.peakRssMb),
      rss_mb_meili: round(meiliRun.peakRssMb),
      ratelimited_ms: round(limited.ms),
      ratelimited_requests: limited.requests,
      ratelimited_min_ms: round(limited.minMs),
      ratelimited_vs_min: round(limited.ms / limited.minMs, 3),
      sync_ms_10k: round(small.syncMs),
      sync_ms_1m: round(large.syncMs),
      sync_fraction_1m: round(large.syncMs / large.ms, 5),
      sync_1m_vs_10k: round(large.syncMs / small.syncMs, 2),
      requests: served.total,
      requests_min: minRequests,
      requests_vs_min: round(served.total / minRequests, 4),
      requests_per_1000_products: round((served.total / sizes.main) * 1000, 2),
      source_rows: rows,
      source_bytes: jsonRef.pageBytes,
      document_bytes: jsonRef.docBytes,
      page_size: PAGE_SIZE,
      sizes: [
        { products: sizes.small, docs_per_s: round(rate(small.documents, small.ms)), rss_mb: round(small.peakRssMb) },
        { products: sizes.main, docs_per_s: round(rate(pipeline.documents, pipeline.ms)), rss_mb: round(pipeline.peakRssMb) },
        { products: sizes.large, docs_per_s: round(rate(large.documents, large.ms)), rss_mb: round(large.peakRssMb) },
      ],
      ...search,
      querylog_distinct_ratio: round(distinctRatio(log12), 3),
      querylog_sqlite: querylog.sqlite,
      querylog_elasticsearch: querylog.elasticsearch,
      querylog_opensearch: querylog.opensearch,
      querylog_meilisearch: querylog.meilisearch,
      sort_sqlite_c16: sorts.sorts,
      sort_healthz_during: sorts.healthz,
      fresh_p50_s: fresh.es.p50_s,
      fresh_p95_s: fresh.es.p95_s,
      fresh_max_s: fresh.es.max_s,
      fresh_sqlite: fresh.sqlite,
      fresh_elasticsearch: fresh.es,
      idle_requests_per_min: fresh.idleRequestsPerMin,
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memory_gb: round(os.totalmem() / 2 ** 30, 1), node: process.version },
      date: new Date().toISOString(),
    };
    process.stdout.write(`\n${reportTable(results)}\n`);
    const file = path.join(OUT, official ? 'latest.json' : 'smoke.json');
    fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${path.relative(ROOT, file)}`);
    if (official) render(results);
  } finally {
    await sandbox?.stop();
    await Promise.all([es.stop(), os_.stop(), meili.stop()]);
    fs.rmSync(work, { recursive: true, force: true });
  }

  /** A rebuild of `products` into the discarding sink, then the edits of scenario 3 and one sync against it. */
  async function sizedRun(products: number): Promise<FeederReport & { syncMs: number }> {
    const sb = await SandboxProcess.start(products);
    try {
      const built = await feeder('rebuild', 'discard', sb, `size-${products}`);
      await sb.edit(EDITS);
      const synced = await feeder('sync', 'discard', sb, `size-${products}`);
      return { ...built, syncMs: synced.ms };
    } finally {
      await sb.stop();
    }
  }

  /**
   * Scenario 9: a rebuild into Elasticsearch from a source answering every request 50 ms late, at
   * the source client's default politeness (the bench's fast-source settings removed): its wall
   * time against the requests it made at the default rate.
   */
  async function rateLimitedRun(esUrl: string): Promise<{ ms: number; requests: number; minMs: number; documents: number }> {
    const sb = await SandboxProcess.start(RATE_LIMITED_PRODUCTS, RATE_LIMITED_LATENCY_MS);
    try {
      const env = {
        SINK: 'elasticsearch',
        ES_URL: esUrl,
        INDEX_NAME: 'bench_ratelimited',
        AKINON_RATE_LIMIT: '',
        AKINON_CONCURRENCY: '',
        AKINON_PAGE_SIZE: '',
      };
      const run = await feeder('rebuild', 'engine', sb, 'ratelimited', { env });
      const { total } = await sb.served();
      return { ms: run.ms, requests: total, minMs: (total / DEFAULT_RATE) * 1000, documents: run.documents };
    } finally {
      await sb.stop();
    }
  }
}

const CONCURRENCY = [1, 16];
const SEARCH_REQUESTS: Record<number, number> = { 1: 300, 16: 1600 };

/**
 * Scenario 11 (bench/freshness.ts): per sink, `feeder serve` over the index an earlier scenario
 * built, on its defaults: the sync schedule, overlap and lag, and the source's default politeness
 * (the bench's fast-source settings removed). First a minute of no edits counts the source requests
 * an idle serve makes; then 110 edits over 60 s, each timed until a search shows it.
 */
async function freshnessScenario(
  sandbox: SandboxProcess,
  sinks: { name: string; env: Record<string, string>; probe: () => { probe: Probe; close: () => unknown } }[],
): Promise<{ idleRequestsPerMin: number; sqlite: FreshnessFigures; es: FreshnessFigures }> {
  const out: Record<string, FreshnessFigures> = {};
  let idleRequestsPerMin = NaN;
  let offset = 0;
  for (const sink of sinks) {
    const env = sandboxEnv(sandbox, sink.name, { ...sink.env, PORT: '0', LOG_LEVEL: 'info' });
    for (const key of ['SYNC_LAG_SECONDS', 'AKINON_RATE_LIMIT', 'AKINON_CONCURRENCY', 'AKINON_PAGE_SIZE']) delete env[key];
    const serve = await startServe(env);
    const probe = sink.probe();
    try {
      if (Number.isNaN(idleRequestsPerMin)) {
        // Let the first syncs after start (they catch up with earlier scenarios' edits) finish.
        await new Promise((resolve) => setTimeout(resolve, 20_000));
        await sandbox.resetServed();
        await new Promise((resolve) => setTimeout(resolve, 60_000));
        idleRequestsPerMin = (await sandbox.served()).total;
        log(`  idle serve: ${idleRequestsPerMin} source requests in a minute`);
      }
      out[sink.name] = await measureFreshness((n, kind) => sandbox.editOne(n, kind), probe.probe, offset);
      offset += 1000;
      log(`  ${sink.name}: edit -> searchable p50 ${out[sink.name].p50_s} s, p95 ${out[sink.name].p95_s} s, max ${out[sink.name].max_s} s`);
    } finally {
      await probe.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  }
  return { idleRequestsPerMin, sqlite: out.sqlite, es: out.es };
}

/**
 * Scenario 10: listings sorted by every sortable field (distinct pages and categories) at
 * concurrency 16 on the embedded index, with /healthz asked every 50 ms meanwhile: a sort that held
 * the event loop (37 s at 20k products before the fix) shows in both.
 */
async function sortScenario(sandbox: SandboxProcess, env: Record<string, string>): Promise<{ sorts: LoadFigures; healthz: LoadFigures }> {
  const serve = await startServe(sandboxEnv(sandbox, 'sqlite', { ...env, PORT: '0', SYNC_CRON: '0 0 1 1 *', LOG_LEVEL: 'info', SEARCH_CACHE_SECONDS: '0' }));
  const sorts = apiCaller(serve.url, sortPath);
  const health = apiCaller(serve.url, () => '/healthz');
  try {
    await load(sorts.call, 200, 16);
    let done = false;
    const measured = load(sorts.call, 2000, 16).finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const t = performance.now();
      await health.call(0).catch(() => undefined);
      latencies.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const figures = { sorts: await measured, healthz: summarize(latencies) };
    log(
      `  sorts c16: p50 ${figures.sorts.p50_ms} ms p95 ${figures.sorts.p95_ms} ms ${figures.sorts.qps}/s; /healthz meanwhile p95 ${figures.healthz.p95_ms} ms`,
    );
    return figures;
  } finally {
    await sorts.close();
    await health.close();
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
}

function summarize(latencies: number[]): LoadFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50_ms: round(at(0.5), 2), p95_ms: round(at(0.95), 2), qps: NaN };
}

/** Scenario 8 for one sink: a `feeder serve` over the index the named run built, loaded by each query kind at each concurrency, then the direct client the same way. */
async function searchScenario(
  sandbox: SandboxProcess,
  name: string,
  env: Record<string, string>,
  direct: ((kind: QueryKind) => { call: (i: number) => Promise<void>; close: () => Promise<void> }) | null,
): Promise<SinkSearch> {
  const serve = await startServe(sandboxEnv(sandbox, name, { ...env, PORT: '0', SYNC_CRON: '0 0 1 1 *', LOG_LEVEL: 'info', SEARCH_CACHE_SECONDS: '0' }));
  const out: SinkSearch = {};
  try {
    for (const kind of SEARCH_KINDS) {
      const ours = apiCaller(serve.url, kind);
      const theirs = direct?.(kind) ?? null;
      try {
        // Warm both (JIT, connections, the engine's caches, the category tree) before measuring.
        await load(ours.call, 500, 16);
        if (theirs) await load(theirs.call, 500, 16);
        for (const c of CONCURRENCY) {
          const api = await load(ours.call, SEARCH_REQUESTS[c], c);
          const ref = theirs ? await load(theirs.call, SEARCH_REQUESTS[c], c) : null;
          out[`${kind}_c${c}`] = { api, direct: ref, p95_ratio: ref ? round(api.p95_ms / ref.p95_ms, 2) : null };
          log(
            `  ${name} ${kind} c${c}: API p50 ${api.p50_ms} ms p95 ${api.p95_ms} ms ${api.qps}/s${ref ? `; direct p50 ${ref.p50_ms} ms p95 ${ref.p95_ms} ms ${ref.qps}/s` : ''}`,
          );
        }
      } finally {
        await ours.close();
        await theirs?.close();
      }
    }
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  return out;
}

/**
 * Scenario 12 for one sink: `feeder serve` over the index an earlier scenario built (its result cache
 * on, as shipped; no HTTP cache), warmed with another log, then the log replayed at concurrency 16;
 * then the engine's own client with the equivalent single request, the same way.
 */
async function queryLogScenario(
  sandbox: SandboxProcess,
  name: string,
  env: Record<string, string>,
  requests: LogRequest[],
  warm: LogRequest[],
  direct: ((log: LogRequest[]) => { call: (i: number) => Promise<void>; close: () => Promise<void> }) | null,
): Promise<QueryLogFigures> {
  const serve = await startServe(sandboxEnv(sandbox, name, { ...env, PORT: '0', SYNC_CRON: '0 0 1 1 *', LOG_LEVEL: 'info', SEARCH_CACHE_SECONDS: '0' }));
  const cacheLookups = async () => {
    const text = await (await fetch(`${serve.url}/metrics`)).text();
    const read = (result: string) => Number(new RegExp(`feeder_search_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { hit: read('hit'), miss: read('miss') };
  };
  try {
    await load(apiCaller(serve.url, (i) => warm[i % warm.length].path).call, warm.length, 16);
    const before = await cacheLookups();
    const ours = apiCaller(serve.url, (i) => requests[i].path);
    const api = await load(ours.call, requests.length, 16).finally(() => ours.close());
    const after = await cacheLookups();
    const lookups = after.hit + after.miss - before.hit - before.miss;
    let ref: LoadFigures | null = null;
    if (direct) {
      const warmer = direct(warm);
      await load(warmer.call, warm.length, 16).finally(() => warmer.close());
      const theirs = direct(requests);
      try {
        ref = await load(theirs.call, requests.length, 16);
      } finally {
        await theirs.close();
      }
    }
    const figures = {
      ...api,
      cache_hit_ratio: lookups > 0 ? round((after.hit - before.hit) / lookups, 3) : null,
      direct: ref,
      p95_ratio: ref ? round(api.p95_ms / ref.p95_ms, 2) : null,
    };
    log(
      `  ${name} query log c16: API p50 ${api.p50_ms} ms p95 ${api.p95_ms} ms ${api.qps}/s, cache hits ${figures.cache_hit_ratio ?? '-'}${ref ? `; direct p50 ${ref.p50_ms} ms p95 ${ref.p95_ms} ms ${ref.qps}/s` : ''}`,
    );
    return figures;
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
}

/** `feeder serve` in a process of its own; resolves once it listens. */
async function startServe(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-20_000);
      const found = /"url":"(http:[^"]+)"/.exec(err);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${err}`)));
  });
  child.stderr.removeAllListeners('data');
  child.stderr.resume();
  return { url, child, exited };
}

function renderAndSay(results: Results): void {
  render(results);
  log('wrote bench/results/chart.svg and the results table in docs/PERFORMANCE.md');
}

// --- processes ------------------------------------------------------------------------------------

/** Environment of a feeder (or reference) reading `sandbox`, with its state in the run's directory `name`. */
function sandboxEnv(sandbox: SandboxProcess, name: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  return sandbox.feederEnv(dir, {
    AKINON_PAGE_SIZE: String(PAGE_SIZE),
    SYNC_LAG_SECONDS: '2',
    SQLITE_PATH: path.join(dir, 'index.db'),
    ...extra,
  });
}

async function feeder(
  op: 'rebuild' | 'sync',
  sink: 'discard' | 'engine',
  sandbox: SandboxProcess,
  name: string,
  opts: { env?: Record<string, string>; profile?: boolean } = {},
): Promise<FeederReport> {
  // The flags the feeder ships with (its entry points run it with them).
  const execArgv = [...NODE_FLAGS, ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${OUT}`, `--cpu-prof-name=${name}.cpuprofile`] : [])];
  const line = await node(path.join(HERE, 'feeder-process.js'), [op, sink], sandboxEnv(sandbox, name, opts.env), execArgv);
  const report = JSON.parse(line) as FeederReport;
  log(
    `  ${op} ${report.sink}: ${report.documents} documents, ${report.written} written in ${Math.round(report.ms)} ms, peak RSS ${Math.round(report.peakRssMb)} MB`,
  );
  if (opts.profile) {
    const summary = summarizeProfile(path.join(OUT, `${name}.cpuprofile`));
    fs.writeFileSync(path.join(OUT, 'profile.txt'), summary);
    log('  wrote bench/results/profile.txt');
  }
  return report;
}

/**
 * Runs a Node script to completion; returns its last stdout line (a report, unless `lastLine` is
 * false). Fails loudly with its stderr.
 */
function node(script: string, args: string[], env: Record<string, string>, execArgv: string[] = [], opts = { lastLine: true }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-8000);
    });
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && (last || !opts.lastLine)) resolve(last);
      else reject(new Error(`${path.basename(script)} ${args.join(' ')} exited with ${code}:\n${err}`));
    });
  });
}

/** 10000 -> 10k, 1000000 -> 1M. */

function expectDocuments(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what} ended with ${got} documents, expected ${want}: the figures would not compare like with like`);
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const run = process.argv.includes('--render') ? async () => renderAndSay(JSON.parse(fs.readFileSync(path.join(OUT, 'latest.json'), 'utf8')) as Results) : main;
run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
