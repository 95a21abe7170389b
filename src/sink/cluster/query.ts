import { searchFields } from '../../profile/query';
import type { SearchProfile } from '../../profile/schema';
import { comparisons, type Bounds, type SearchResult } from '../types';
import type { SearchPlan } from '../plan';
import type { ClusterSearchResponse, Dialect } from './client';

/*
 * The Elasticsearch/OpenSearch query compiler: pure functions from a search plan (sink/plan.ts)
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

/** The `_search` body of a plan. */
export function searchBody(plan: SearchPlan, facts: ClusterQueryFacts): ClusterSearchBody {
  const { dialect } = facts;
  const exact = exactOf(facts);
  const filter: Record<string, unknown>[] = [];
  if (plan.isActive !== undefined) filter.push({ term: { is_active: plan.isActive } });
  if (plan.isListable !== undefined) filter.push({ term: { is_listable: plan.isListable } });
  // Values go in as terms: nothing in them is syntax, whatever a shopper sends.
  for (const v of plan.values) filter.push(dialect.facetFilter(exact(v.field), v.values));
  for (const r of plan.ranges) {
    filter.push(
      r.bounds.length === 1 ? inRange(r.field, r.bounds[0]) : { bool: { should: r.bounds.map((b) => inRange(r.field, b)), minimum_should_match: 1 } },
    );
  }
  const must = plan.text ? [{ bool: { should: plan.variants.map((v) => textQuery(v, plan.locale, facts)), minimum_should_match: 1 } }] : [];
  const order = plan.sort;
  const sort = order
    ? [{ [exact(order.field)]: { order: order.desc ? 'desc' : 'asc', missing: '_last', unmapped_type: 'keyword' } }, { product_id: 'asc' }]
    : ['_score', { product_id: 'asc' }];
  const aggs: Record<string, Record<string, unknown>> = Object.fromEntries([
    ...plan.stats.map((f): [string, Record<string, unknown>] => [f.name, { stats: { field: f.field } }]),
    ...plan.terms.map((f): [string, Record<string, unknown>] => [f.name, dialect.facetAgg(exact(f.field), plan.facetSize)]),
    // Buckets as filters (not a `range` aggregation, whose upper ends are always exclusive).
    ...plan.buckets.map((b): [string, Record<string, unknown>] => [
      `${BUCKETS_PREFIX}${b.name}`,
      { filters: { filters: b.bounds.map((x) => inRange(b.field, x)) } },
    ]),
  ]);
  return {
    from: plan.offset,
    size: plan.limit,
    query: { bool: { must, filter } },
    sort,
    track_total_hits: plan.countAll,
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
export function searchResult(plan: SearchPlan, res: ClusterSearchResponse, facts: ClusterQueryFacts): SearchResult {
  const { dialect } = facts;
  const exact = exactOf(facts);
  const facets: Record<string, { value: string; count: number }[]> = {};
  const ranges: Record<string, { min: number | null; max: number | null }> = {};
  for (const f of plan.stats) {
    const stats = res.aggregations?.[f.name];
    ranges[f.name] = { min: stats?.min ?? null, max: stats?.max ?? null };
  }
  for (const f of plan.terms) {
    const buckets = res.aggregations?.[f.name]?.buckets ?? [];
    facets[f.name] = buckets.map((b) => ({ value: dialect.facetValue(exact(f.field), b.key), count: b.doc_count }));
  }
  const buckets = Object.fromEntries(
    plan.buckets.map((b) => [b.name, (res.aggregations?.[`${BUCKETS_PREFIX}${b.name}`]?.buckets ?? []).map((x) => x.doc_count)]),
  );
  return {
    ...(plan.bucketsAsked ? { buckets } : {}),
    total: Math.max(res.total, res.hits.length), // not counted (countAll: false): at least the hits
    hits: res.hits.map((h) => dialect.fromStored(h._source ?? { id: h._id })),
    ...(plan.facetsAsked ? { facets } : {}),
    ...(Object.keys(ranges).length ? { ranges } : {}),
  };
}
