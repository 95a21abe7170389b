import { facetField, isRangeFacet, queryVariants } from '../profile/query';
import type { SearchProfile } from '../profile/schema';
import { queryText } from './text';
import type { Bounds, SearchQuery } from './types';

/*
 * A search as every engine's query compiler reads it (sink/<engine>/query.ts): the `SearchQuery`
 * and the profile turned once into one normalized plan. Facet names are resolved to document
 * fields, the text to its words and synonym variants, a range to its list of alternatives, the
 * facets to count split into terms and stats, defaults applied. What differs between engines
 * starts after this.
 */

/** A facet as asked (`size`) and the document field it names (`attributes.size`). */
export interface FacetRef {
  name: string;
  field: string;
}

export interface SearchPlan {
  /** The words searched (docs/CONTRACT.md §5); null: no text search. */
  text: string | null;
  /** The text, then its synonym variants (any of them matches); empty without text. */
  variants: string[];
  locale?: string;
  isActive?: boolean;
  isListable?: boolean;
  /** Facet value filters, all required: each a field and the values a document must have one of. */
  values: (FacetRef & { values: readonly string[] })[];
  /** Range filters, all required: each a field and bounds, any of which a value must fall in. */
  ranges: (FacetRef & { bounds: readonly Bounds[] })[];
  sort: { field: string; desc: boolean } | null;
  limit: number;
  offset: number;
  /** Whether every match is counted (false: the total is at least the hits). */
  countAll: boolean;
  /** Facets whose values are counted, at most `facetSize` each, and numeric facets whose lowest and highest value are reported. */
  terms: FacetRef[];
  stats: FacetRef[];
  facetSize: number;
  /** Per numeric facet, the buckets whose matches are counted. */
  buckets: (FacetRef & { bounds: readonly Bounds[] })[];
  /** Whether the answer carries `facets` (asked, even if empty) and `buckets`. */
  facetsAsked: boolean;
  bucketsAsked: boolean;
}

/** A sort as sinks apply it: the field and the direction (`relevance` has no field). */
export function sortOf(sort: string | undefined): { field: string; desc: boolean } | null {
  if (!sort || sort === 'relevance') return null;
  return sort.startsWith('-') ? { field: sort.slice(1), desc: true } : { field: sort, desc: false };
}

/** The plan of a query, or null when text was typed with no word in it (it matches nothing). */
export function searchPlan(q: SearchQuery, profile: SearchProfile): SearchPlan | null {
  const text = queryText(q.text);
  if (text === '') return null;
  const ref = (name: string): FacetRef => ({ name, field: facetField(profile, name) });
  const facets = q.facets ?? [];
  const isRange = (name: string) => isRangeFacet(profile, name);
  return {
    text,
    variants: text === null ? [] : queryVariants(profile, text),
    locale: q.locale,
    isActive: q.isActive,
    isListable: q.isListable,
    values: (q.filters ?? []).flatMap((f) => ('values' in f ? [{ ...ref(f.facet), values: f.values }] : [])),
    ranges: (q.filters ?? []).flatMap((f) => ('bounds' in f ? [{ ...ref(f.facet), bounds: f.bounds }] : [])),
    sort: sortOf(q.sort),
    limit: q.limit ?? 10,
    offset: q.offset ?? 0,
    countAll: q.countAll !== false,
    terms: facets.filter((f) => !isRange(f)).map(ref),
    stats: [...new Set([...facets.filter(isRange), ...(q.stats ?? [])])].map(ref),
    facetSize: Math.min(q.facetSize ?? 50, 100),
    buckets: Object.entries(q.buckets ?? {}).map(([name, bounds]) => ({ ...ref(name), bounds })),
    facetsAsked: q.facets !== undefined,
    bucketsAsked: q.buckets !== undefined,
  };
}
