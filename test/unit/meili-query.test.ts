import { anyOf, within } from '../../src/sink/types';
import {
  bucketRequests,
  exactFacetFields,
  filterString,
  hex,
  searchRequest as compile,
  searchResult as readBack,
  type MeiliQueryFacts,
} from '../../src/sink/meilisearch/query';
import { searchPlan } from '../../src/sink/plan';
import type { SearchQuery } from '../../src/sink/types';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import type { SearchProfile } from '../../src/profile/schema';

/* The Meilisearch query compiler without an engine: the requests each query form builds, and how answers are read back. */

const profile: SearchProfile = { ...BUILTIN_PROFILE, locales: ['en-us'] };
const facts: MeiliQueryFacts = { profile, exactFields: new Set(exactFacetFields(profile)), exact: true, searchOn: true };
const plain: MeiliQueryFacts = { ...facts, exact: false };

/** The request of a query (through its plan), or null when the plan is (text without a word). */
const searchRequest = (q: SearchQuery, f: MeiliQueryFacts) => {
  const plan = searchPlan(q, f.profile);
  return plan ? compile(plan, f) : null;
};
const planOf = (q: SearchQuery) => searchPlan(q, profile)!;

describe('the search request', () => {
  test('an empty query: everything, counted by page, every word required', () => {
    expect(searchRequest({}, facts)).toEqual({
      q: '',
      params: { hitsPerPage: 10, page: 1, attributesToSearchOn: expect.any(Array) as unknown, matchingStrategy: 'all' },
    });
  });

  test('typed text with no word in it matches nothing: no request at all', () => {
    expect(searchRequest({ text: '?!' }, facts)).toBeNull();
  });

  test('text is sent as the words; the locale picks the searched fields, left out while a new profile rolls out', () => {
    const r = searchRequest({ text: '  mavi   kazak ', locale: 'en-us' }, facts)!;
    expect(r.q).toBe('mavi kazak');
    expect(r.params.attributesToSearchOn).toEqual(expect.arrayContaining(['name', expect.stringMatching(/^i18n\.en-us\./)]));
    expect(searchRequest({ text: 'kazak' }, { ...facts, searchOn: false })!.params.attributesToSearchOn).toBeUndefined();
  });

  test('facet values are quoted strings: hex of their UTF-8 through the exact copies, escaped on an older index', () => {
    const hostile = ['Sarı', 'a" OR is_active = false OR "', 'back\\slash', '38.0'];
    expect(searchRequest({ filters: [anyOf('color', hostile)] }, facts)!.params.filter).toBe(
      `feeder_exact.attributes_color IN [${hostile.map((v) => `"${hex(v)}"`).join(', ')}]`,
    );
    expect(searchRequest({ filters: [anyOf('color', hostile)] }, plain)!.params.filter).toBe(
      'attributes.color IN ["Sarı", "a\\" OR is_active = false OR \\"", "back\\\\slash", "38.0"]',
    );
    expect(filterString('"\\')).toBe('"\\"\\\\"');
  });

  test('status filters and ranges, all required; several bounds of one facet are alternatives', () => {
    const r = searchRequest({ isActive: true, isListable: true, filters: [within('price', [{ max: 100, maxExclusive: true }, { min: 500 }])] }, facts)!;
    expect(r.params.filter).toBe('is_active = true AND is_listable = true AND ((price < 100) OR (price >= 500))');
  });

  test('sort by a field then the product id; paging by page when aligned, else by offset', () => {
    expect(searchRequest({ sort: '-price', limit: 24, offset: 48 }, facts)!.params).toMatchObject({
      sort: ['price:desc', 'product_id:asc'],
      hitsPerPage: 24,
      page: 3,
    });
    expect(searchRequest({ limit: 24, offset: 10 }, facts)!.params).toMatchObject({ offset: 10, limit: 24 });
  });

  test('facets are counted through their exact copies; stats through the field', () => {
    expect(searchRequest({ facets: ['size'], stats: ['price'] }, facts)!.params.facets).toEqual(['feeder_exact.attributes_size', 'price']);
    expect(searchRequest({ facets: ['size'] }, plain)!.params.facets).toEqual(['attributes.size']);
  });

  test('each bucket is a counted search of its own with the listing’s filters, no hits and no facets', () => {
    const q = {
      text: 'kazak',
      filters: [anyOf('size', ['M'])],
      facets: ['size'],
      sort: 'price',
      buckets: { price: [{ max: 100 }, { min: 100, minExclusive: true }] },
    };
    const [{ facet, requests }] = bucketRequests(searchPlan(q, profile)!, facts);
    expect(facet).toBe('price');
    expect(requests.map((r) => r.params)).toEqual([
      {
        filter: `feeder_exact.attributes_size IN ["${hex('M')}"] AND ((price <= 100))`,
        hitsPerPage: 0,
        page: 1,
        attributesToSearchOn: expect.any(Array) as unknown,
        matchingStrategy: 'all',
      },
      {
        filter: `feeder_exact.attributes_size IN ["${hex('M')}"] AND ((price > 100))`,
        hitsPerPage: 0,
        page: 1,
        attributesToSearchOn: expect.any(Array) as unknown,
        matchingStrategy: 'all',
      },
    ]);
    expect(requests.every((r) => r.q === 'kazak')).toBe(true);
  });
});

describe('the answer read back', () => {
  test('values decoded from their copies, most frequent first then by value; stats as ranges; bucket counts as given', () => {
    const res = {
      hits: [{ id: '1', feeder_exact: {} }],
      totalHits: 41,
      facetDistribution: { 'feeder_exact.attributes_size': { [hex('S')]: 2, [hex('M')]: 5, [hex('L')]: 2 } },
      facetStats: { price: { min: 5, max: 90 } },
    };
    const read = ({ feeder_exact: _copies, ...doc }: Record<string, unknown>) => doc as { id: string };
    expect(readBack(planOf({ facets: ['size'], stats: ['price'], buckets: { price: [] } }), res, facts, read, { price: [3, 4] })).toEqual({
      total: 41,
      hits: [{ id: '1' }],
      buckets: { price: [3, 4] },
      ranges: { price: { min: 5, max: 90 } },
      facets: {
        size: [
          { value: 'M', count: 5 },
          { value: 'L', count: 2 },
          { value: 'S', count: 2 },
        ],
      },
    });
  });

  test('an estimated total, or at least the hits', () => {
    expect(readBack(planOf({}), { hits: [{ id: '1' }], estimatedTotalHits: 7 }, facts, (d) => d).total).toBe(7);
    expect(readBack(planOf({}), { hits: [{ id: '1' }, { id: '2' }] }, facts, (d) => d).total).toBe(2);
  });
});
