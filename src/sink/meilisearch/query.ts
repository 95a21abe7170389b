import { facetField, facetFields, isRangeFacet, searchFields } from '../../profile/query';
import type { SearchProfile } from '../../profile/schema';
import { queryText } from '../text';
import { comparisons, facetPlan, filtersOf, sortOf, type Bounds, type SearchQuery, type SearchResult } from '../types';

/*
 * The Meilisearch query compiler: pure functions from a `SearchQuery` (and the profile) to the
 * search requests Meilisearch is sent (the listing, and one counted search per price bucket: it has
 * no range counts), and from its answers to a `SearchResult`. What the sink learned of the live
 * index (whether it has the exact copies of facet values, whether it knows the asked locale's
 * fields) comes in as facts, so every request can be unit-tested without an engine.
 */

/** Where a products document keeps the exact copies of its facet values (see the sink's `toStored`). */
export const EXACT = 'feeder_exact';

export interface MeiliQueryFacts {
  profile: SearchProfile;
  /** Facet fields compared exactly through their copies (all but range facets). */
  exactFields: ReadonlySet<string>;
  /** Whether the live index has the exact copies (an index built before them is searched through the fields). */
  exact: boolean;
  /** Whether the live index knows the locale's searchable fields (`attributesToSearchOn`); false while a new profile rolls out. */
  searchOn: boolean;
}

export interface MeiliSearchParams {
  filter?: string;
  sort?: string[];
  hitsPerPage?: number;
  page?: number;
  offset?: number;
  limit?: number;
  facets?: string[];
  attributesToSearchOn?: string[];
  matchingStrategy: 'all';
}

/** One search request: the text and the parameters. */
export interface MeiliSearchRequest {
  q: string;
  params: MeiliSearchParams;
}

/** A string in a Meilisearch filter expression: double-quoted, with backslashes and quotes escaped. */
export function filterString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A Meilisearch filter: `field` in any of the bounds (`(price >= 0 AND price < 250) OR (price >= 750)`). */
export function inAnyOf(field: string, list: readonly Bounds[]): string {
  const alternatives = list.map((b) => {
    const ops = comparisons(b);
    return ops.length ? ops.map((c) => `${field} ${c.op} ${c.value}`).join(' AND ') : `${field} EXISTS`;
  });
  return alternatives.length ? `((${alternatives.join(') OR (')}))` : `${field} NOT EXISTS AND ${field} EXISTS`;
}

/** The facet fields whose values are compared exactly through copies: all but the range facets (numbers, compared as numbers). */
export function exactFacetFields(profile: SearchProfile): string[] {
  const ranges = new Set(profile.facets.filter((f) => isRangeFacet(profile, f.key)).map((f) => f.field));
  return facetFields(profile).filter((f) => !ranges.has(f));
}

export function exactKey(field: string): string {
  return field.replace(/[^A-Za-z0-9_]/g, '_');
}

export function exactField(field: string): string {
  return `${EXACT}.${exactKey(field)}`;
}

export function hex(value: string): string {
  return Buffer.from(value, 'utf8').toString('hex');
}

function unhex(value: string): string {
  return Buffer.from(value, 'hex').toString('utf8');
}

const encoded = (facts: MeiliQueryFacts, field: string) => facts.exact && facts.exactFields.has(field);

/**
 * The listing's search, or null when text was typed with no word in it (it matches nothing,
 * docs/CONTRACT.md §5). With `bucket`, the counted search of one price bucket instead: the same
 * filters and text, that bucket's bounds, no hits, no facets.
 */
export function searchRequest(q: SearchQuery, facts: MeiliQueryFacts, bucket?: { facet: string; bounds: Bounds }): MeiliSearchRequest | null {
  const text = queryText(q.text);
  if (text === '') return null;
  const { profile } = facts;
  const kinds = facetPlan(q, profile);
  const filters = filtersOf(q);
  const facetOf = (field: string) => (encoded(facts, field) ? exactField(field) : field);
  const filter: string[] = [];
  if (q.isActive !== undefined) filter.push(`is_active = ${q.isActive}`);
  if (q.isListable !== undefined) filter.push(`is_listable = ${q.isListable}`);
  for (const [name, values] of filters.values) {
    const field = facetField(profile, name);
    // Every value is a quoted, escaped string (hex of its UTF-8 when compared through its copy).
    const encode = encoded(facts, field) ? hex : (v: string) => v;
    filter.push(`${facetOf(field)} IN [${values.map((v) => filterString(encode(v))).join(', ')}]`);
  }
  for (const [name, list] of filters.ranges) filter.push(inAnyOf(facetField(profile, name), list));
  if (bucket) filter.push(inAnyOf(facetField(profile, bucket.facet), [bucket.bounds]));
  const counted = [...kinds.terms.map((f) => facetOf(facetField(profile, f))), ...kinds.ranges.map((f) => facetField(profile, f))];
  const order = sortOf(q.sort);
  // Page-aligned requests ask by page, which makes Meilisearch count every match (`totalHits`);
  // an offset inside a page falls back to offset and limit, whose total is an estimate.
  const limit = q.limit ?? 10;
  const offset = q.offset ?? 0;
  const paging = limit === 0 || offset % limit === 0 ? { hitsPerPage: limit, page: limit === 0 ? 1 : offset / limit + 1 } : { offset, limit };
  // With locales, a query searches the catalog's own fields and the asked locale's, not every language.
  const on = facts.searchOn && profile.locales.length ? searchFields(profile, q.locale).map((f) => f.field) : undefined;
  const params: MeiliSearchParams = {
    ...(filter.length ? { filter: filter.join(' AND ') } : {}),
    ...(order && !bucket ? { sort: [`${order.field}:${order.desc ? 'desc' : 'asc'}`, 'product_id:asc'] } : {}),
    ...(bucket ? { hitsPerPage: 0, page: 1 } : paging),
    ...(!bucket && counted.length ? { facets: counted } : {}),
    ...(on ? { attributesToSearchOn: on } : {}),
    // Every word must match, as on every sink: the default (`last`) drops words until something matches.
    matchingStrategy: 'all',
  };
  return { q: text ?? '', params };
}

/** The counted searches of a query's buckets, per facet in the order asked. */
export function bucketRequests(q: SearchQuery, facts: MeiliQueryFacts): { facet: string; requests: MeiliSearchRequest[] }[] {
  return Object.entries(q.buckets ?? {}).map(([facet, list]) => ({ facet, requests: list.map((bounds) => searchRequest(q, facts, { facet, bounds })!) }));
}

/** What a Meilisearch search answers, as read here. */
export interface MeiliAnswer<D> {
  hits: D[];
  totalHits?: number;
  estimatedTotalHits?: number;
  facetDistribution?: Record<string, Record<string, number>>;
  facetStats?: Record<string, { min: number; max: number }>;
}

/** The total a search answered: counted by page, estimated by offset, at least its hits. */
export function totalOf(res: MeiliAnswer<unknown>): number {
  return res.totalHits ?? res.estimatedTotalHits ?? res.hits.length;
}

/** The listing's answer (and its buckets' counts) as a `SearchResult`; facet values decoded, most frequent first. */
export function searchResult<D extends Record<string, unknown>>(
  q: SearchQuery,
  res: MeiliAnswer<D>,
  facts: MeiliQueryFacts,
  read: (doc: D) => SearchResult['hits'][number],
  bucketCounts?: Record<string, number[]>,
): SearchResult {
  const { profile } = facts;
  const kinds = facetPlan(q, profile);
  const result: SearchResult = { total: totalOf(res), hits: res.hits.map(read) };
  if (bucketCounts) result.buckets = bucketCounts;
  for (const f of kinds.ranges) {
    const stats = res.facetStats?.[facetField(profile, f)];
    (result.ranges ??= {})[f] = { min: stats?.min ?? null, max: stats?.max ?? null };
  }
  if (q.facets) result.facets = {};
  for (const f of kinds.terms) {
    const field = facetField(profile, f);
    const exact = encoded(facts, field);
    const dist = res.facetDistribution?.[exact ? exactField(field) : field] ?? {};
    result.facets![f] = Object.entries(dist)
      .map(([value, count]) => ({ value: exact ? unhex(value) : value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, kinds.size);
  }
  return result;
}
