import { facetFields, isRangeFacet, searchFields } from '../../profile/query';
import type { SearchProfile } from '../../profile/schema';
import { comparisons, type Bounds, type SearchResult } from '../types';
import type { SearchPlan } from '../plan';

/*
 * The Meilisearch query compiler: pure functions from a search plan (sink/plan.ts) to the
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
 * The listing's search. With `bucket`, the counted search of one price bucket instead: the same
 * filters and text, that bucket's bounds, no hits, no facets.
 */
export function searchRequest(plan: SearchPlan, facts: MeiliQueryFacts, bucket?: { field: string; bounds: Bounds }): MeiliSearchRequest {
  const { profile } = facts;
  const facetOf = (field: string) => (encoded(facts, field) ? exactField(field) : field);
  const filter: string[] = [];
  if (plan.isActive !== undefined) filter.push(`is_active = ${plan.isActive}`);
  if (plan.isListable !== undefined) filter.push(`is_listable = ${plan.isListable}`);
  for (const v of plan.values) {
    // Every value is a quoted, escaped string (hex of its UTF-8 when compared through its copy).
    const encode = encoded(facts, v.field) ? hex : (x: string) => x;
    filter.push(`${facetOf(v.field)} IN [${v.values.map((x) => filterString(encode(x))).join(', ')}]`);
  }
  for (const r of plan.ranges) filter.push(inAnyOf(r.field, r.bounds));
  if (bucket) filter.push(inAnyOf(bucket.field, [bucket.bounds]));
  const counted = [...plan.terms.map((f) => facetOf(f.field)), ...plan.stats.map((f) => f.field)];
  const order = plan.sort;
  // Page-aligned requests ask by page, which makes Meilisearch count every match (`totalHits`);
  // an offset inside a page falls back to offset and limit, whose total is an estimate.
  const { limit, offset } = plan;
  const paging = limit === 0 || offset % limit === 0 ? { hitsPerPage: limit, page: limit === 0 ? 1 : offset / limit + 1 } : { offset, limit };
  // With locales, a query searches the catalog's own fields and the asked locale's, not every language.
  const on = facts.searchOn && profile.locales.length ? searchFields(profile, plan.locale).map((f) => f.field) : undefined;
  const params: MeiliSearchParams = {
    ...(filter.length ? { filter: filter.join(' AND ') } : {}),
    ...(order && !bucket ? { sort: [`${order.field}:${order.desc ? 'desc' : 'asc'}`, 'product_id:asc'] } : {}),
    ...(bucket ? { hitsPerPage: 0, page: 1 } : paging),
    ...(!bucket && counted.length ? { facets: counted } : {}),
    ...(on ? { attributesToSearchOn: on } : {}),
    // Every word must match, as on every sink: the default (`last`) drops words until something matches.
    matchingStrategy: 'all',
  };
  // The text as typed: Meilisearch applies the profile's synonyms itself (index settings).
  return { q: plan.text ?? '', params };
}

/** The counted searches of a plan's buckets, per facet in the order asked. */
export function bucketRequests(plan: SearchPlan, facts: MeiliQueryFacts): { facet: string; requests: MeiliSearchRequest[] }[] {
  return plan.buckets.map((b) => ({ facet: b.name, requests: b.bounds.map((bounds) => searchRequest(plan, facts, { field: b.field, bounds })) }));
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
  plan: SearchPlan,
  res: MeiliAnswer<D>,
  facts: MeiliQueryFacts,
  read: (doc: D) => SearchResult['hits'][number],
  bucketCounts?: Record<string, number[]>,
): SearchResult {
  const result: SearchResult = { total: totalOf(res), hits: res.hits.map(read) };
  if (bucketCounts) result.buckets = bucketCounts;
  for (const f of plan.stats) {
    const stats = res.facetStats?.[f.field];
    (result.ranges ??= {})[f.name] = { min: stats?.min ?? null, max: stats?.max ?? null };
  }
  if (plan.facetsAsked) result.facets = {};
  for (const f of plan.terms) {
    const exact = encoded(facts, f.field);
    const dist = res.facetDistribution?.[exact ? exactField(f.field) : f.field] ?? {};
    result.facets![f.name] = Object.entries(dist)
      .map(([value, count]) => ({ value: exact ? unhex(value) : value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, plan.facetSize);
  }
  return result;
}
