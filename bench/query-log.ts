/*
 * Scenario 12: a storefront's query log replayed through the Commerce route `/list/` on every sink.
 * 10,000 requests, each drawn from Zipf distributions (the shape of real search logs: a few words,
 * categories and pages are asked very often, most rarely) over a vocabulary of words, categories,
 * facet values, price buckets, pages and sorters, so repeats happen at a realistic rate, not at the
 * rate of a few dozen canned queries. The same log is replayed against the engine's own client
 * asking the equivalent single request, where the engine has one (Elasticsearch, OpenSearch,
 * Meilisearch); the embedded index has none, and its figure is absolute.
 */
import { Client } from '@elastic/elasticsearch';
import { MeiliSearch } from 'meilisearch';
import { ADJECTIVES, CATEGORY_TREE, COLORS, SIZES } from '../src/sandbox/words';

export const LOG_REQUESTS = 10_000;

/** A seeded generator (mulberry32): the same log on every run and every sink. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf over `items` (the first most frequent): P(rank k) ∝ 1 / k^s. */
function zipf<T>(items: readonly T[], s = 1.05): (random: () => number) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 1; k <= items.length; k++) cumulative.push((total += 1 / k ** s));
  return (random) => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo];
  };
}

/** The words shoppers type: those product names are made of (adjectives, colours, category nouns), in Turkish, lowercased. */
function vocabulary(): string[] {
  const nouns = CATEGORY_TREE.flatMap(([top, , subs]) => [top, ...subs.flatMap(([sub, , leaves]) => [sub, ...leaves.map(([leaf]) => leaf)])]);
  const words = [...ADJECTIVES.map(([tr]) => tr), ...COLORS.map((c) => c.tr), ...nouns].flatMap((w) => w.split(' '));
  return [...new Set(words.map((w) => w.toLocaleLowerCase('tr')))];
}

/** Shuffled with the generator: which word or category is popular is not the vocabulary's order. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The sandbox's category nodes (ids 1..n): every top node, department and leaf of its tree. */
export function categoryCount(): number {
  return CATEGORY_TREE.reduce((n, [, , subs]) => n + 1 + subs.reduce((m, [, , leaves]) => m + 1 + leaves.length, 0), 0);
}

export interface LogRequest {
  /** The `/list/` path and query the storefront sends. */
  path: string;
  text?: string;
  category?: number;
  color?: string;
  size?: string;
  price?: [number, number | null];
  sorter: string;
  page: number;
}

/** `n` requests of a storefront's log over a catalog with `categories` nodes (ids 1..categories). */
export function queryLog(n: number, seed: number, categories: number): LogRequest[] {
  const random = generator(seed);
  const word = zipf(shuffled(vocabulary(), random));
  const category = zipf(
    shuffled(
      Array.from({ length: categories }, (_, i) => i + 1),
      random,
    ),
  );
  const color = zipf(
    shuffled(
      COLORS.map((c) => c.code),
      random,
    ),
  );
  const size = zipf(shuffled(SIZES.map(String), random));
  const price = zipf<[number, number | null]>([
    [0, 1000],
    [1000, 2000],
    [2000, 3000],
    [3000, 4000],
    [4000, null],
  ]);
  const page = zipf(
    Array.from({ length: 20 }, (_, i) => i + 1),
    1.6,
  );
  const sorter = zipf(['price', 'newest', '-price']);
  const out: LogRequest[] = [];
  for (let i = 0; i < n; i++) {
    const req: LogRequest = { path: '', sorter: 'relevance', page: page(random) };
    const words = random() < 0.6 ? 1 + Math.floor(random() ** 2 * 3) : 0;
    if (words) req.text = [...new Set(Array.from({ length: words }, () => word(random)))].join(' ');
    if (!req.text || random() < 0.2) req.category = category(random);
    if (random() < 0.25) req.color = color(random);
    if (random() < 0.12) req.size = size(random);
    if (random() < 0.1) req.price = price(random);
    if (!req.text || random() < 0.3) req.sorter = sorter(random);
    const params = new URLSearchParams();
    if (req.text) params.set('search_text', req.text);
    if (req.category) params.set('category_ids', String(req.category));
    if (req.color) params.set('attributes_integration_color', req.color);
    if (req.size) params.set('attributes_size', req.size);
    if (req.price) params.set('price', req.price[1] === null ? String(req.price[0]) : `${req.price[0]}-${req.price[1]}`);
    if (req.sorter !== 'relevance') params.set('sorter', req.sorter);
    params.set('page', String(req.page));
    params.set('page_size', '24');
    req.path = `/list/?${params.toString()}`;
    out.push(req);
  }
  return out;
}

/** How many requests of a log are the first of their kind: the most a result cache could miss. */
export function distinctRatio(log: readonly LogRequest[]): number {
  return new Set(log.map((r) => r.path)).size / log.length;
}

const FACET_FIELDS = ['attributes.integration_color', 'attributes.size', 'attributes.color', 'attributes.brand'];
const TEXT_FIELDS = ['name^10', 'sku^6', 'base_code^4', 'category_names^2', 'attribute_labels.*^1'];
const BUCKETS: [number, number | null][] = [
  [0, 1000],
  [1000, 2000],
  [2000, 3000],
  [3000, 4000],
  [4000, null],
];
const SORTS: Record<string, Record<string, unknown>[] | string[]> = {
  relevance: ['_score'],
  price: [{ price: { order: 'asc', missing: '_last' } }],
  '-price': [{ price: { order: 'desc', missing: '_last' } }],
  newest: [{ created_date: { order: 'desc', missing: '_last' } }],
};

const priceRange = ([lo, hi]: [number, number | null]) => ({ range: { price: hi === null ? { gte: lo } : { gte: lo, lt: hi } } });

/** What a hand-written Elasticsearch or OpenSearch client asks for the same page, in one request: the page, every facet and the price buckets counted. */
export function clusterBody(r: LogRequest): Record<string, unknown> {
  const filter: Record<string, unknown>[] = [{ term: { is_active: true } }, { term: { is_listable: true } }, { range: { price: { gte: 0 } } }];
  if (r.category) filter.push({ term: { category_ids: r.category } });
  if (r.color) filter.push({ term: { 'attributes.integration_color': r.color } });
  if (r.size) filter.push({ term: { 'attributes.size': r.size } });
  if (r.price) filter.push(priceRange(r.price));
  const must = r.text
    ? r.text
        .split(' ')
        .map((w, n, all) => ({ multi_match: { query: w, type: n === all.length - 1 ? 'bool_prefix' : 'best_fields', operator: 'and', fields: TEXT_FIELDS } }))
    : [];
  return {
    from: (r.page - 1) * 24,
    size: 24,
    track_total_hits: true,
    query: { bool: { must, filter } },
    sort: [...SORTS[r.sorter], { product_id: 'asc' }],
    aggs: {
      category_ids: { terms: { field: 'category_ids', size: 100 } },
      ...Object.fromEntries(FACET_FIELDS.map((f) => [f, { terms: { field: f, size: 100 } }])),
      price: { filters: { filters: BUCKETS.map(priceRange) } },
    },
  };
}

export function elasticsearchLogCaller(url: string, index: string, log: readonly LogRequest[]) {
  const client = new Client({ node: url });
  return {
    call: async (i: number) => {
      await client.search({ index, ...clusterBody(log[i % log.length]) });
    },
    close: () => client.close(),
  };
}

/** OpenSearch takes the same body; asked over plain HTTP (its client is the same shape of work). */
export function openSearchLogCaller(url: string, index: string, log: readonly LogRequest[]) {
  return {
    call: async (i: number) => {
      const res = await fetch(`${url}/${index}/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(clusterBody(log[i % log.length])),
      });
      if (res.status !== 200) throw new Error(`OpenSearch answered ${res.status}`);
      await res.json();
    },
    close: async () => undefined,
  };
}

/** One Meilisearch search for the same page: filters, sort, every facet counted (Meilisearch has no range counts). */
export function meilisearchLogCaller(url: string, apiKey: string, index: string, log: readonly LogRequest[]) {
  const client = new MeiliSearch({ host: url, apiKey });
  const facets = ['category_ids', ...FACET_FIELDS, 'price'];
  return {
    call: async (i: number) => {
      const r = log[i % log.length];
      const filter = ['is_active = true', 'is_listable = true', 'price >= 0'];
      if (r.category) filter.push(`category_ids = ${r.category}`);
      if (r.color) filter.push(`attributes.integration_color = "${r.color}"`);
      if (r.size) filter.push(`attributes.size = "${r.size}"`);
      if (r.price) filter.push(r.price[1] === null ? `price >= ${r.price[0]}` : `price >= ${r.price[0]} AND price < ${r.price[1]}`);
      const sort =
        r.sorter === 'relevance'
          ? undefined
          : [r.sorter === 'newest' ? 'created_date:desc' : r.sorter === '-price' ? 'price:desc' : 'price:asc', 'product_id:asc'];
      await client.index(index).search(r.text ?? '', { filter: filter.join(' AND '), sort, hitsPerPage: 24, page: r.page, facets, matchingStrategy: 'all' });
    },
    close: async () => undefined,
  };
}
