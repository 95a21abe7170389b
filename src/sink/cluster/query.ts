import { facetField, queryVariants, searchFields } from '../../profile/query';
import type { SearchProfile } from '../../profile/schema';
import { queryText } from '../text';
import { comparisons, facetPlan, filtersOf, sortOf, type Bounds, type SearchQuery, type SearchResult } from '../types';
import type { ClusterSearchResponse, Dialect } from './client';

/*
 * The Elasticsearch/OpenSearch query compiler: pure functions from a `SearchQuery` (and the profile)
 * to the `_search` body, and from the cluster's answer to a `SearchResult`. No I/O: what the sink
 * learned of the cluster (which fields have a `keyword` sub-field, whether the analysis-common
 * fields exist) comes in as facts, so every request can be unit-tested without an engine.
 */

export interface ClusterQueryFacts {
  profile: SearchProfile;
  /** How the engine's dialect filters, counts and reads facet values, and reads a stored document. */
  dialect: Pick<Dialect, 'facetAgg' | 'facetValue' | 'facetFilter' | 'fromStored'>;
  /** Top-level fields with a `keyword` sub-field: counted, filtered and sorted through it. */
  keywordFields: ReadonlySet<string>;
  /** Whether the index has the analysis-common fields (`name.folded`, `name.autocomplete`). */
  folded: boolean;
}

// A type alias (not an interface): it is passed where a plain JSON object is expected.
export type ClusterSearchBody = {
  from: number;
  size: number;
  query: { bool: { must: Record<string, unknown>[]; filter: Record<string, unknown>[] } };
  sort: unknown[];
  track_total_hits: boolean;
  aggs?: Record<string, Record<string, unknown>>;
};

/** The range query's name of each comparison. */
const RANGE_OPS = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;

/** Where a query's bucket counts are aggregated (apart from facets, which may have any name). */
const BUCKETS_PREFIX = 'feeder_buckets__';

function inRange(field: string, bounds: Bounds): Record<string, unknown> {
  return { range: { [field]: Object.fromEntries(comparisons(bounds).map((c) => [RANGE_OPS[c.op], c.value])) } };
}

/** A text field is counted, filtered and sorted on its `keyword` sub-field; any other field as it is. */
function exactOf(facts: ClusterQueryFacts): (field: string) => string {
  return (field) => (facts.keywordFields.has(field) ? `${field}.keyword` : field);
}

/** The `_search` body of a query, or null when text was typed with no word in it (it matches nothing, docs/CONTRACT.md §5). */
export function searchBody(q: SearchQuery, facts: ClusterQueryFacts): ClusterSearchBody | null {
  const text = queryText(q.text);
  if (text === '') return null;
  const { profile, dialect } = facts;
  const exact = exactOf(facts);
  const facetFieldOf = (name: string) => exact(facetField(profile, name));
  const filter: Record<string, unknown>[] = [];
  if (q.isActive !== undefined) filter.push({ term: { is_active: q.isActive } });
  if (q.isListable !== undefined) filter.push({ term: { is_listable: q.isListable } });
  const filters = filtersOf(q);
  // Values go in as terms: nothing in them is syntax, whatever a shopper sends.
  for (const [name, values] of filters.values) filter.push(dialect.facetFilter(facetFieldOf(name), values));
  for (const [name, list] of filters.ranges) {
    const field = facetField(profile, name);
    filter.push(list.length === 1 ? inRange(field, list[0]) : { bool: { should: list.map((b) => inRange(field, b)), minimum_should_match: 1 } });
  }
  const must = text ? [{ bool: { should: queryVariants(profile, text).map((v) => textQuery(v, q.locale, facts)), minimum_should_match: 1 } }] : [];
  const order = sortOf(q.sort);
  const sort = order
    ? [{ [exact(order.field)]: { order: order.desc ? 'desc' : 'asc', missing: '_last', unmapped_type: 'keyword' } }, { product_id: 'asc' }]
    : ['_score', { product_id: 'asc' }];
  const kinds = facetPlan(q, profile);
  const aggs: Record<string, Record<string, unknown>> = Object.fromEntries([
    ...kinds.ranges.map((f): [string, Record<string, unknown>] => [f, { stats: { field: facetField(profile, f) } }]),
    ...kinds.terms.map((f): [string, Record<string, unknown>] => [f, dialect.facetAgg(facetFieldOf(f), kinds.size)]),
    // Buckets as filters (not a `range` aggregation, whose upper ends are always exclusive).
    ...Object.entries(q.buckets ?? {}).map(([f, list]): [string, Record<string, unknown>] => [
      `${BUCKETS_PREFIX}${f}`,
      { filters: { filters: list.map((b) => inRange(facetField(profile, f), b)) } },
    ]),
  ]);
  return {
    from: q.offset ?? 0,
    size: q.limit ?? 10,
    query: { bool: { must, filter } },
    sort,
    track_total_hits: q.countAll !== false,
    ...(Object.keys(aggs).length ? { aggs } : {}),
  };
}

/**
 * One variant of the query over the profile's fields for the locale, each boosted by its weight:
 * every word must match in some field, the last one as a prefix (as the embedded index and
 * Meilisearch match it: search as you type).
 */
export function textQuery(text: string, locale: string | undefined, facts: Pick<ClusterQueryFacts, 'profile' | 'folded'>): Record<string, unknown> {
  const fields = searchFields(facts.profile, locale).flatMap(({ field, weight }) => {
    if (field === 'attribute_labels') return [`attribute_labels.*^${weight}`];
    if (field === 'name' && facts.folded) return [`name^${weight}`, `name.folded^${weight * 0.8}`, `name.autocomplete^${weight * 0.2}`];
    return [`${field}^${weight}`];
  });
  const words = text.split(/\s+/).filter(Boolean);
  const must = words.map((word, i) =>
    i === words.length - 1
      ? { multi_match: { query: word, type: 'bool_prefix', operator: 'and', fields } }
      : { multi_match: { query: word, type: 'best_fields', operator: 'and', fields } },
  );
  return must.length === 1 ? must[0] : { bool: { must } };
}

/** The cluster's answer as a `SearchResult`: hits as contract documents, facets, ranges and bucket counts as asked. */
export function searchResult(q: SearchQuery, res: ClusterSearchResponse, facts: ClusterQueryFacts): SearchResult {
  const { profile, dialect } = facts;
  const exact = exactOf(facts);
  const kinds = facetPlan(q, profile);
  const facets: Record<string, { value: string; count: number }[]> = {};
  const ranges: Record<string, { min: number | null; max: number | null }> = {};
  for (const f of kinds.ranges) {
    const stats = res.aggregations?.[f];
    ranges[f] = { min: stats?.min ?? null, max: stats?.max ?? null };
  }
  for (const f of kinds.terms) {
    const buckets = res.aggregations?.[f]?.buckets ?? [];
    facets[f] = buckets.map((b) => ({ value: dialect.facetValue(exact(facetField(profile, f)), b.key), count: b.doc_count }));
  }
  const buckets = Object.fromEntries(
    Object.keys(q.buckets ?? {}).map((f) => [f, (res.aggregations?.[`${BUCKETS_PREFIX}${f}`]?.buckets ?? []).map((b) => b.doc_count)]),
  );
  return {
    ...(q.buckets ? { buckets } : {}),
    total: Math.max(res.total, res.hits.length), // not counted (countAll: false): at least the hits
    hits: res.hits.map((h) => dialect.fromStored(h._source ?? { id: h._id })),
    ...(q.facets ? { facets } : {}),
    ...(Object.keys(ranges).length ? { ranges } : {}),
  };
}
