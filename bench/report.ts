/*
 * The benchmark's report: the scenarios' rows against their targets, the chart, and the results
 * table in docs/PERFORMANCE.md, from a results object (bench/results/latest.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderChart, type SizePoint } from './chart';
import { formatTable, type Row } from './table';
import type { LoadFigures, QueryKind } from './search';
import type { FreshnessFigures } from './freshness';

const ROOT = path.resolve(__dirname, '../..');

/** The query kinds scenario 8 times, in the report's order. */
export const SEARCH_KINDS: QueryKind[] = ['text', 'two_words', 'faceted', 'autocomplete'];

/** The report's table, as printed after a run. */
export function reportTable(results: Results): string {
  return formatTable(rowsOf(results));
}

export interface SearchFigures {
  api: LoadFigures;
  direct: LoadFigures | null;
  /** The API's p95 over the direct query's p95 (target <= 1.3). */
  p95_ratio: number | null;
}
export type SinkSearch = Record<string, SearchFigures>;

export interface QueryLogFigures extends LoadFigures {
  /** Of the searches the API asked its index, the share its result cache answered (embedded index only). */
  cache_hit_ratio: number | null;
  direct: LoadFigures | null;
  p95_ratio: number | null;
}

/** A catalog size as the report names it (`10k`, `1M`). */
export function label(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n);
}

export type Results = Omit<Parameters<typeof rowsOf>[0], 'sizes'> & {
  sizes: { products: number; docs_per_s: number; rss_mb: number }[];
  date: string;
  machine: { cores: number; cpu: string; memory_gb: number; node: string };
};

/** The chart and the docs table from a results file (`--render` redoes them from latest.json). */
export function render(results: Results): void {
  const points: SizePoint[] = results.sizes.map((s) => ({ products: s.products, docsPerS: s.docs_per_s, rssMb: s.rss_mb }));
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'chart.svg'), renderChart(points));
  updateDocs(formatTable(rowsOf(results)), results.date, results.machine);
}

function rowsOf(r: {
  pipeline_docs_per_s: number;
  json_docs_per_s: number;
  pipeline_vs_json_ratio: number;
  es_docs_per_s: number;
  bulk_docs_per_s: number;
  es_vs_bulk_ratio: number;
  meili_docs_per_s: number;
  meili_direct_docs_per_s: number;
  meili_vs_direct_ratio: number;
  os_docs_per_s: number;
  os_bulk_docs_per_s: number;
  os_vs_bulk_ratio: number;
  sync_fraction_of_rebuild: number;
  sync_ms: number;
  rebuild_es_ms: number;
  sync_docs_written: number;
  sync_docs_changed: number;
  sync_requests: number;
  sync_requests_min: number;
  rss_mb_10k: number;
  rss_mb_100k: number;
  rss_mb_1m: number;
  sizes: { products: number }[];
  rss_1m_vs_100k: number;
  rss_mb_es?: number;
  rss_mb_os?: number;
  rss_mb_meili?: number;
  ratelimited_ms?: number;
  ratelimited_requests?: number;
  ratelimited_min_ms?: number;
  ratelimited_vs_min?: number;
  sync_ms_10k?: number;
  sync_ms_1m?: number;
  sync_fraction_1m?: number;
  sync_1m_vs_10k?: number;
  requests: number;
  requests_min: number;
  requests_vs_min: number;
  requests_per_1000_products: number;
  search_sqlite?: SinkSearch;
  search_elasticsearch?: SinkSearch;
  search_meilisearch?: SinkSearch;
  querylog_distinct_ratio?: number;
  querylog_sqlite?: QueryLogFigures;
  querylog_elasticsearch?: QueryLogFigures;
  querylog_opensearch?: QueryLogFigures;
  querylog_meilisearch?: QueryLogFigures;
  sort_sqlite_c16?: LoadFigures;
  sort_healthz_during?: LoadFigures;
  fresh_sqlite?: FreshnessFigures;
  fresh_elasticsearch?: FreshnessFigures;
  idle_requests_per_min?: number;
}): Row[] {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const p95s = (s: SinkSearch, c: number, side: 'api' | 'direct') => SEARCH_KINDS.map((k) => s[`${k}_c${c}`]?.[side]?.p95_ms ?? '-').join(' / ');
  const worst = (s: SinkSearch) => Math.max(...Object.values(s).map((f) => f.p95_ratio ?? 0));
  const searchRows: Row[] = [];
  for (const [label, f] of [
    ['Elasticsearch', r.fresh_elasticsearch],
    ['SQLite', r.fresh_sqlite],
  ] as const) {
    if (!f) continue;
    searchRows.push({
      scenario: `11 freshness on ${label}: edit -> searchable (p50 / p95 / max), serve on defaults`,
      measured: `${f.p50_s} / ${f.p95_s} / ${f.max_s} s`,
      reference: '-',
      result: `${f.edits} edits`,
      target: 'p95 <= 15 s, max <= 30 s',
      met: f.p95_s <= 15 && f.max_s <= 30,
    });
  }
  if (r.idle_requests_per_min !== undefined) {
    searchRows.push({
      scenario: '11 source requests per minute of an idle serve',
      measured: `${r.idle_requests_per_min}`,
      reference: '300 (5/s, the default AKINON_RATE_LIMIT)',
      result: `${Math.round((r.idle_requests_per_min / 300) * 100)}% of the budget`,
      target: '<= 20%',
      met: r.idle_requests_per_min <= 60,
    });
  }
  if (r.querylog_sqlite) {
    const q = r.querylog_sqlite;
    searchRows.push({
      scenario: `12 query log (10,000 Zipf requests, ${pct(r.querylog_distinct_ratio ?? 0)} distinct) through /list/ on SQLite, c16`,
      measured: `p50 ${q.p50_ms} ms, p95 ${q.p95_ms} ms, ${q.qps}/s; cache hits ${q.cache_hit_ratio === null ? '-' : pct(q.cache_hit_ratio)}`,
      reference: '-',
      result: `p95 ${q.p95_ms} ms`,
      target: 'p95 <= 50 ms',
      met: q.p95_ms <= 50,
    });
  }
  for (const [label, q] of [
    ['Elasticsearch', r.querylog_elasticsearch],
    ['OpenSearch', r.querylog_opensearch],
    ['Meilisearch', r.querylog_meilisearch],
  ] as const) {
    if (!q?.direct) continue;
    searchRows.push({
      scenario: `12 query log through /list/ vs ${label} client, c16 (p50 / p95)`,
      measured: `${q.p50_ms} / ${q.p95_ms} ms, ${q.qps}/s`,
      reference: `${q.direct.p50_ms} / ${q.direct.p95_ms} ms, ${q.direct.qps}/s`,
      result: `ratio ${q.p95_ratio}`,
      target: '<= 1.3',
      met: (q.p95_ratio ?? Infinity) <= 1.3,
    });
  }
  if (r.sort_sqlite_c16 && r.sort_healthz_during) {
    searchRows.push({
      scenario: '10 every sort on SQLite at c16 (p95), /healthz p95 meanwhile',
      measured: `${r.sort_sqlite_c16.p95_ms} ms; /healthz ${r.sort_healthz_during.p95_ms} ms`,
      reference: '-',
      result: `${r.sort_sqlite_c16.qps}/s`,
      target: '/healthz < 100 ms',
      met: r.sort_healthz_during.p95_ms < 100,
    });
  }
  if (r.search_sqlite) {
    // The target covers the three queries; two words (a pair no cache has seen) is shown beside them.
    const max = Math.max(...(['text', 'faceted', 'autocomplete'] as const).map((k) => r.search_sqlite![`${k}_c16`].api.p95_ms));
    searchRows.push({
      scenario: '8 search API on SQLite, p95 at c16 (text / two words / faceted / autocomplete)',
      measured: `${p95s(r.search_sqlite, 16, 'api')} ms`,
      reference: '-',
      result: `max ${max} ms (text, faceted, autocomplete)`,
      target: '< 20 ms',
      met: max < 20,
    });
  }
  for (const [label, s] of [
    ['Elasticsearch', r.search_elasticsearch],
    ['Meilisearch', r.search_meilisearch],
  ] as const) {
    if (!s) continue;
    searchRows.push({
      scenario: `8 search API vs ${label} client, p95 at c1 and c16 (text / two words / faceted / autocomplete)`,
      measured: `c1 ${p95s(s, 1, 'api')} ms; c16 ${p95s(s, 16, 'api')} ms`,
      reference: `c1 ${p95s(s, 1, 'direct')} ms; c16 ${p95s(s, 16, 'direct')} ms`,
      result: `worst ratio ${worst(s)}`,
      target: '<= 1.3',
      met: worst(s) <= 1.3,
    });
  }
  return [
    {
      scenario: '1 pipeline vs JSON',
      measured: `${r.pipeline_docs_per_s} docs/s`,
      reference: `${r.json_docs_per_s} docs/s`,
      result: `ratio ${r.pipeline_vs_json_ratio}`,
      target: '>= 0.25',
      met: r.pipeline_vs_json_ratio >= 0.25,
    },
    {
      scenario: '2 Elasticsearch vs bulk helper',
      measured: `${r.es_docs_per_s} docs/s`,
      reference: `${r.bulk_docs_per_s} docs/s`,
      result: `ratio ${r.es_vs_bulk_ratio}`,
      target: '>= 0.85',
      met: r.es_vs_bulk_ratio >= 0.85,
    },
    {
      scenario: '3 sync of 100 edits',
      measured: `${r.sync_ms} ms, ${r.sync_docs_written} written, ${r.sync_requests} requests`,
      reference: `rebuild ${r.rebuild_es_ms} ms, ${r.sync_docs_changed} changed, min ${r.sync_requests_min}`,
      result: pct(r.sync_fraction_of_rebuild),
      target: '<= 1%, written = changed',
      met: r.sync_fraction_of_rebuild <= 0.01 && r.sync_docs_written === r.sync_docs_changed,
    },
    ...(r.sync_ms_1m !== undefined && r.sync_ms_10k !== undefined
      ? [
          {
            scenario: `3 sync of 100 edits at ${label(r.sizes[2].products)} vs ${label(r.sizes[0].products)} (discarding sink)`,
            measured: `${r.sync_ms_1m} ms (${pct(r.sync_fraction_1m!)} of that rebuild)`,
            reference: `${r.sync_ms_10k} ms`,
            result: `${r.sync_1m_vs_10k}x`,
            target: 'the same time (<= 1.5x)',
            met: r.sync_1m_vs_10k! <= 1.5,
          },
        ]
      : []),
    {
      scenario: `4 peak RSS ${r.sizes.map((x) => label(x.products)).join(' / ')}`,
      measured: `${r.rss_mb_10k} / ${r.rss_mb_100k} / ${r.rss_mb_1m} MB`,
      reference: label(r.sizes[1].products),
      result: `${label(r.sizes[2].products)} = ${r.rss_1m_vs_100k}x ${label(r.sizes[1].products)}`,
      target: '<= 300 MB each, flat',
      met: Math.max(r.rss_mb_10k, r.rss_mb_100k, r.rss_mb_1m) <= 300 && r.rss_1m_vs_100k < 1.2,
    },
    ...(r.rss_mb_es !== undefined
      ? [
          {
            scenario: '4 peak RSS of the rebuild into Elasticsearch / OpenSearch / Meilisearch',
            measured: `${r.rss_mb_es} / ${r.rss_mb_os} / ${r.rss_mb_meili} MB`,
            reference: '-',
            result: `max ${Math.max(r.rss_mb_es, r.rss_mb_os!, r.rss_mb_meili!)} MB`,
            target: '<= 300 MB',
            met: Math.max(r.rss_mb_es, r.rss_mb_os!, r.rss_mb_meili!) <= 300,
          },
        ]
      : []),
    {
      scenario: '5 source requests',
      measured: `${r.requests} (${r.requests_per_1000_products} per 1000 products)`,
      reference: `min ${r.requests_min}`,
      result: `${r.requests_vs_min}x`,
      target: '<= 1.05x',
      met: r.requests_vs_min <= 1.05,
    },
    {
      scenario: '6 Meilisearch vs addDocuments',
      measured: `${r.meili_docs_per_s} docs/s`,
      reference: `${r.meili_direct_docs_per_s} docs/s`,
      result: `ratio ${r.meili_vs_direct_ratio}`,
      target: '>= 0.85',
      met: r.meili_vs_direct_ratio >= 0.85,
    },
    {
      scenario: '7 OpenSearch vs bulk helper',
      measured: `${r.os_docs_per_s} docs/s`,
      reference: `${r.os_bulk_docs_per_s} docs/s`,
      result: `ratio ${r.os_vs_bulk_ratio}`,
      target: '>= 0.85',
      met: r.os_vs_bulk_ratio >= 0.85,
    },
    ...(r.ratelimited_vs_min !== undefined
      ? [
          {
            scenario: '9 rebuild 20k into Elasticsearch, source 50 ms away, default politeness (5/s, 2 in flight)',
            measured: `${r.ratelimited_ms} ms, ${r.ratelimited_requests} requests`,
            reference: `${r.ratelimited_min_ms} ms (requests / rate)`,
            result: `${r.ratelimited_vs_min}x`,
            target: '<= 1.03x',
            met: r.ratelimited_vs_min <= 1.03,
          },
        ]
      : []),
    ...searchRows,
  ];
}

function updateDocs(table: string, date: string, machine: { cores: number; cpu: string; memory_gb: number; node: string }): void {
  const file = path.join(ROOT, 'docs', 'PERFORMANCE.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = '<!-- bench:results -->';
  const end = '<!-- /bench:results -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/PERFORMANCE.md lacks the ${start} … ${end} markers`);
  const block = [
    start,
    `Latest run: ${date.slice(0, 10)}, ${machine.cores} cores (${machine.cpu}), ${machine.memory_gb} GB, Node ${machine.node}.`,
    '',
    table,
    '',
    '![Throughput and peak RSS against catalog size](../bench/results/chart.svg)',
    end,
  ].join('\n');
  fs.writeFileSync(file, text.slice(0, i) + block + text.slice(j + end.length));
}
