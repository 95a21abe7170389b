import { hasFields } from '../../src/sink/cluster/sink';
import { searchBody, searchResult, type ClusterQueryFacts } from '../../src/sink/cluster/query';
import { anyOf, within } from '../../src/sink/types';
import { searchPlan } from '../../src/sink/plan';
import { keywordSubfields } from '../../src/sink/cluster/mappings';
import { elasticsearchDialect } from '../../src/sink/cluster/elasticsearch';
import { openSearchDialect } from '../../src/sink/cluster/opensearch';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import type { SearchProfile } from '../../src/profile/schema';
import type { SearchQuery } from '../../src/sink/types';

/*
 * The Elasticsearch/OpenSearch query compiler without an engine: the request each query form
 * builds, and how an answer is read back. (The engines themselves run the same queries in the
 * sink contract and search API suites.)
 */

const profile: SearchProfile = {
  ...BUILTIN_PROFILE,
  facets: [...BUILTIN_PROFILE.facets, { key: 'department', field: 'category_names', kind: 'terms', labels: {} }],
  synonyms: { groups: [['kazak', 'süveter']], rules: [] },
};
const es: ClusterQueryFacts = { profile, dialect: elasticsearchDialect, keywordFields: keywordSubfields(profile), folded: false };
const os: ClusterQueryFacts = { ...es, dialect: openSearchDialect };
const SEP = '\u001f';

const plan = (q: SearchQuery, facts = es) => searchPlan(q, facts.profile)!;
const body = (q: SearchQuery, facts = es) => searchBody(plan(q, facts), facts);
const filters = (q: SearchQuery, facts = es) => body(q, facts).query.bool.filter;

describe('the _search body', () => {
  test('an empty query: everything, by relevance, counted, ten at a time', () => {
    expect(body({})).toEqual({
      from: 0,
      size: 10,
      query: { bool: { must: [], filter: [] } },
      sort: ['_score', { product_id: 'asc' }],
      track_total_hits: true,
    });
  });

  test('typed text with no word in it matches nothing: no plan, no request at all', () => {
    expect(searchPlan({ text: ' — ? ' }, profile)).toBeNull();
  });

  test('text: every word in some searched field with its weight, the last as a prefix; each synonym variant is an alternative', () => {
    const must = body({ text: 'mavi kazak' }).query.bool.must;
    const fields = ['name^10', 'sku^6', 'base_code^4', 'category_names^2', 'attribute_labels.*^1'];
    const variant = (last: string) => ({
      bool: {
        must: [
          { multi_match: { query: 'mavi', type: 'best_fields', operator: 'and', fields } },
          { multi_match: { query: last, type: 'bool_prefix', operator: 'and', fields } },
        ],
      },
    });
    expect(must).toEqual([{ bool: { should: [variant('kazak'), variant('süveter')], minimum_should_match: 1 } }]);
  });

  test('with the analysis-common fields, the name is searched folded and as you type too', () => {
    const must = body({ text: 'ışık' }, { ...es, folded: true }).query.bool.must as { bool: { should: { multi_match: { fields: string[] } }[] } }[];
    expect(must[0].bool.should[0].multi_match.fields.slice(0, 3)).toEqual(['name^10', 'name.folded^8', 'name.autocomplete^2']);
  });

  test('a locale searches its own fields beside the catalog’s', () => {
    const withLocale = { ...es, profile: { ...profile, locales: ['en-us'] } };
    const must = body({ text: 'dress', locale: 'en-us' }, withLocale).query.bool.must as { bool: { should: { multi_match: { fields: string[] } }[] } }[];
    expect(must[0].bool.should[0].multi_match.fields).toEqual(expect.arrayContaining(['name^10', expect.stringMatching(/^i18n\.en-us\.name\^/)]));
  });

  test('active and listable are term filters', () => {
    expect(filters({ isActive: true, isListable: false })).toEqual([{ term: { is_active: true } }, { term: { is_listable: false } }]);
  });

  test('facet values: terms on the field (a text field through its keyword sub-field), values as they are', () => {
    expect(filters({ filters: [anyOf('size', ['M', 'L']), anyOf('department', ['Kadın'])] })).toEqual([
      { terms: { 'attributes.size': ['M', 'L'] } },
      { terms: { 'category_names.keyword': ['Kadın'] } },
    ]);
  });

  test('hostile values are terms, never syntax', () => {
    const hostile = ['"; DROP TABLE products; --', '*', 'a OR b', '\\', '{"match_all":{}}', 'x" AND is_active = false'];
    expect(filters({ filters: [anyOf('color', hostile)] })).toEqual([{ terms: { 'attributes.color': hostile } }]);
    expect(filters({ filters: [anyOf('color', hostile)] }, os)).toEqual([{ terms: { feeder_facets: hostile.map((v) => `color${SEP}${v}`) } }]);
  });

  test('ranges: bounds as gte/gt/lte/lt; several bounds of one facet are alternatives', () => {
    expect(filters({ filters: [within('price', { min: 100, max: 900, maxExclusive: true })] })).toEqual([{ range: { price: { gte: 100, lt: 900 } } }]);
    expect(filters({ filters: [within('price', [{ max: 100 }, { min: 500, minExclusive: true }])] })).toEqual([
      { bool: { should: [{ range: { price: { lte: 100 } } }, { range: { price: { gt: 500 } } }], minimum_should_match: 1 } },
    ]);
  });

  test('sorts: a field (through its keyword sub-field when text), missing last, then the product id', () => {
    expect(body({ sort: '-price' }).sort).toEqual([{ price: { order: 'desc', missing: '_last', unmapped_type: 'keyword' } }, { product_id: 'asc' }]);
    expect(body({ sort: 'name' }).sort).toEqual([{ 'name.keyword': { order: 'asc', missing: '_last', unmapped_type: 'keyword' } }, { product_id: 'asc' }]);
  });

  test('facets, stats and buckets are aggregations; paging and an uncounted total', () => {
    const b = body({
      facets: ['size'],
      stats: ['price'],
      buckets: { price: [{ max: 100, maxExclusive: true }, { min: 100 }] },
      facetSize: 7,
      limit: 24,
      offset: 48,
      countAll: false,
    });
    expect(b).toMatchObject({ from: 48, size: 24, track_total_hits: false });
    expect(b.aggs).toEqual({
      price: { stats: { field: 'price' } },
      size: { terms: { field: 'attributes.size', size: 7 } },
      feeder_buckets__price: { filters: { filters: [{ range: { price: { lt: 100 } } }, { range: { price: { gte: 100 } } }] } },
    });
  });

  test('OpenSearch counts an attribute on its facet field, the key escaped in the include pattern', () => {
    expect(body({ facets: ['size'] }, os).aggs).toEqual({ size: { terms: { field: 'feeder_facets', include: `size${SEP}.*`, size: 50 } } });
    expect(body({ facets: ['we(ird+key'] }, os).aggs!['we(ird+key']).toEqual({
      terms: { field: 'feeder_facets', include: `we\\(ird\\+key${SEP}.*`, size: 50 },
    });
  });
});

describe('the answer read back', () => {
  const q: SearchQuery = { facets: ['size'], stats: ['price'], buckets: { price: [{ max: 100 }, { min: 100 }] }, countAll: false };

  test('hits, facet counts, ranges and bucket counts; an uncounted total is at least the hits', () => {
    const res = {
      total: 0,
      hits: [{ _id: '7', _source: { id: '7', name: 'Kazak' } }, { _id: '9' }],
      aggregations: {
        size: { buckets: [{ key: 'M', doc_count: 4 }] },
        price: { min: 10, max: 990 },
        feeder_buckets__price: {
          buckets: [
            { key: '0', doc_count: 3 },
            { key: '1', doc_count: 5 },
          ],
        },
      },
    };
    expect(searchResult(plan(q), res, es)).toEqual({
      total: 2,
      hits: [{ id: '7', name: 'Kazak' }, { id: '9' }],
      facets: { size: [{ value: 'M', count: 4 }] },
      ranges: { price: { min: 10, max: 990 } },
      buckets: { price: [3, 5] },
    });
  });

  test('OpenSearch: attribute values without their key, documents without the facet field', () => {
    const res = {
      total: 1,
      hits: [{ _id: '7', _source: { id: '7', feeder_facets: [`size${SEP}M`] } }],
      aggregations: { size: { buckets: [{ key: `size${SEP}M`, doc_count: 1 }] } },
    };
    expect(searchResult(plan({ facets: ['size'] }, os), res, os)).toEqual({ total: 1, hits: [{ id: '7' }], facets: { size: [{ value: 'M', count: 1 }] } });
  });
});

describe('the mapping check before a mapping update', () => {
  const wanted = {
    name: { type: 'text', fields: { raw: { type: 'keyword' } } },
    attributes: { type: 'flattened', depth_limit: 20 },
    variants: { type: 'nested', properties: { id: { type: 'keyword' }, size: { type: 'keyword' } } },
  };
  test('the fields a cluster reports, normalized, are enough: no update', () => {
    const held = {
      name: { type: 'text', fields: { raw: { type: 'keyword' } } },
      attributes: { type: 'flattened' },
      variants: { type: 'nested', properties: { id: { type: 'keyword' }, size: { type: 'keyword' } } },
      older: { type: 'keyword' },
    };
    expect(hasFields(held, wanted)).toBe(true);
  });
  test('a missing field, object field or multi-field asks for the update', () => {
    expect(hasFields({ name: wanted.name, attributes: wanted.attributes }, wanted)).toBe(false);
    expect(hasFields({ ...wanted, variants: { type: 'nested', properties: { id: { type: 'keyword' } } } }, wanted)).toBe(false);
    expect(hasFields({ ...wanted, name: { type: 'text' } }, wanted)).toBe(false);
  });
});
