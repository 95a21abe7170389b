/*
 * Scenario 8: the storefront search API under load, per sink, beside the engine's own client
 * issuing the equivalent query directly, in the same run. Three queries — a text query, a faceted
 * query (a category filter with every facet counted) and autocomplete — at concurrency 1 and 16;
 * p50, p95 and QPS of each. Our API is measured through HTTP against a real `feeder serve` process;
 * the reference runs in this process with the official client (Elasticsearch, Meilisearch). SQLite
 * has no server to compare with: its figure is absolute (target p95 under 20 ms at concurrency 16).
 */
import { Client } from '@elastic/elasticsearch';
import { MeiliSearch } from 'meilisearch';
import { Pool } from 'undici';
import { ADJECTIVES, COLORS } from '../src/sandbox/words';

export type QueryKind = 'text' | 'two_words' | 'faceted' | 'autocomplete';
export interface LoadFigures {
  p50_ms: number;
  p95_ms: number;
  qps: number;
}

/** Words product names are made of (`Örgü Sarı Bardak`): every query finds products. */
const WORDS = [...ADJECTIVES.map(([tr]) => tr.split(' ')[0]), ...COLORS.map((c) => c.tr)].map((w) => w.toLocaleLowerCase('tr'));
const CATEGORIES = [1, 2, 3, 19, 20, 33, 43, 55];
const word = (i: number) => WORDS[i % WORDS.length];
const category = (i: number) => CATEGORIES[i % CATEGORIES.length];
const prefix = (i: number) => word(i).slice(0, 3);

/** Two words, a different pair for each of the first WORDS² queries: no cache anywhere has seen it. */
const twoWords = (i: number) => `${word(i)} ${word(Math.floor(i / WORDS.length) + 1)}`;

/** The API's request for the i-th query of a kind. */
export function apiPath(kind: QueryKind, i: number): string {
  if (kind === 'text') return `/search?q=${encodeURIComponent(word(i))}&page_size=24`;
  if (kind === 'two_words') return `/search?q=${encodeURIComponent(twoWords(i))}&page_size=24`;
  if (kind === 'faceted') return `/search?category=${category(i)}&sort=price&page_size=24`;
  return `/autocomplete/?search_text=${encodeURIComponent(prefix(i))}`;
}

/** Every sort the built-in profile's API offers (its `sorters`). */
export const SORTS = ['price', '-price', 'newest', 'created_date', '-created_date', 'discount_percentage', '-discount_percentage'];

/**
 * Scenario 10's i-th request: a listing sorted by one of SORTS, on one of the first 40 pages of the
 * whole catalog or of a category: distinct pages and sorts, so the result cache answers few.
 */
export function sortPath(i: number): string {
  const sort = SORTS[i % SORTS.length];
  const page = 1 + (Math.floor(i / SORTS.length) % 40);
  const where = i % 2 ? `&category=${category(Math.floor(i / 80))}` : '';
  return `/search?sort=${sort}&page=${page}&page_size=24${where}`;
}

/** Runs `requests` calls of `call` with `concurrency` in flight; latencies in ms, and the rate. */
export async function load(call: (i: number) => Promise<void>, requests: number, concurrency: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < requests; i = next++) {
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50_ms: round(at(0.5), 2), p95_ms: round(at(0.95), 2), qps: round(requests / seconds, 1) };
}

/** Calls of our API through HTTP (keep-alive connections, as a storefront backend holds them). */
export function apiCaller(baseUrl: string, kind: QueryKind | ((i: number) => string)): { call: (i: number) => Promise<void>; close: () => Promise<void> } {
  const pool = new Pool(baseUrl, { connections: 32 });
  const pathOf = typeof kind === 'function' ? kind : (i: number) => apiPath(kind, i);
  return {
    call: async (i) => {
      const res = await pool.request({ path: pathOf(i), method: 'GET' });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${pathOf(i)} answered ${res.statusCode}: ${body.slice(0, 300)}`);
      JSON.parse(body);
    },
    close: () => pool.close(),
  };
}

const FACET_FIELDS = ['attributes.integration_color', 'attributes.size', 'attributes.color', 'attributes.brand'];
const ES_FIELDS = ['name^10', 'sku^6', 'base_code^4', 'category_names^2', 'attribute_labels.*^1'];

/** What a hand-written Elasticsearch client asks for the same page: the query, the facet counts, the price range. */
function esBody(kind: QueryKind, i: number): Record<string, unknown> {
  const aggs = {
    category_ids: { terms: { field: 'category_ids', size: 100 } },
    ...Object.fromEntries(FACET_FIELDS.map((f) => [f, { terms: { field: f, size: 100 } }])),
    price: { stats: { field: 'price' } },
  };
  if (kind === 'autocomplete') {
    return {
      size: 5,
      track_total_hits: false,
      query: { multi_match: { query: prefix(i), type: 'bool_prefix', operator: 'and', fields: ES_FIELDS } },
      sort: ['_score', { product_id: 'asc' }],
    };
  }
  if (kind === 'text' || kind === 'two_words') {
    const words = (kind === 'text' ? word(i) : twoWords(i)).split(' ');
    const must = words.map((w, n) => ({
      multi_match: { query: w, type: n === words.length - 1 ? 'bool_prefix' : 'best_fields', operator: 'and', fields: ES_FIELDS },
    }));
    return {
      size: 24,
      track_total_hits: true,
      query: { bool: { must } },
      sort: ['_score', { product_id: 'asc' }],
      aggs,
    };
  }
  return {
    size: 24,
    track_total_hits: true,
    query: { bool: { filter: [{ term: { category_ids: category(i) } }] } },
    sort: [{ price: { order: 'asc', missing: '_last' } }, { product_id: 'asc' }],
    aggs,
  };
}

export function elasticsearchCaller(url: string, index: string, kind: QueryKind): { call: (i: number) => Promise<void>; close: () => Promise<void> } {
  const client = new Client({ node: url });
  return {
    call: async (i) => {
      await client.search({ index, ...esBody(kind, i) });
    },
    close: () => client.close(),
  };
}

export function meilisearchCaller(
  url: string,
  apiKey: string,
  index: string,
  kind: QueryKind,
): { call: (i: number) => Promise<void>; close: () => Promise<void> } {
  const client = new MeiliSearch({ host: url, apiKey });
  const facets = ['category_ids', ...FACET_FIELDS, 'price'];
  return {
    call: async (i) => {
      if (kind === 'autocomplete') await client.index(index).search(prefix(i), { limit: 5 });
      else if (kind === 'text') await client.index(index).search(word(i), { hitsPerPage: 24, page: 1, facets });
      else if (kind === 'two_words') await client.index(index).search(twoWords(i), { hitsPerPage: 24, page: 1, facets });
      else
        await client
          .index(index)
          .search('', { filter: `category_ids = ${category(i)}`, sort: ['price:asc', 'product_id:asc'], hitsPerPage: 24, page: 1, facets });
    },
    close: async () => undefined,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
