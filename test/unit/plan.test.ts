import { searchPlan } from '../../src/sink/plan';
import { anyOf, within } from '../../src/sink/types';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import type { SearchProfile } from '../../src/profile/schema';

/* The one normalized plan every engine's query compiler reads (sink/plan.ts). */

const profile: SearchProfile = {
  ...BUILTIN_PROFILE,
  facets: [...BUILTIN_PROFILE.facets, { key: 'price_range', field: 'price', kind: 'range', labels: {} }],
  synonyms: { groups: [['kazak', 'süveter']], rules: [] },
};

test('defaults: no text, everything counted, ten from the start, by relevance, nothing asked', () => {
  expect(searchPlan({}, profile)).toEqual({
    text: null,
    variants: [],
    locale: undefined,
    isActive: undefined,
    isListable: undefined,
    values: [],
    ranges: [],
    sort: null,
    limit: 10,
    offset: 0,
    countAll: true,
    terms: [],
    stats: [],
    facetSize: 50,
    buckets: [],
    facetsAsked: false,
    bucketsAsked: false,
  });
});

test('names resolve to document fields; text to its words and synonym variants; a range facet is a stat', () => {
  const plan = searchPlan(
    {
      text: ' Mavi  KAZAK! ',
      filters: [anyOf('size', ['M']), anyOf('category_ids', [3]), within('price', { min: 10 }), within('price', { min: 5 }), anyOf('category_ids', [4])],
      facets: ['brand', 'price_range'],
      stats: ['price_range'],
      buckets: { price: [{ max: 100 }] },
      sort: '-created_date',
      facetSize: 500,
      countAll: false,
    },
    profile,
  )!;
  expect(plan.text).toBe('Mavi KAZAK');
  expect(plan.variants).toEqual(['Mavi KAZAK', 'Mavi süveter']);
  expect(plan.values).toEqual([
    { name: 'size', field: 'attributes.size', values: ['M'] },
    { name: 'category_ids', field: 'category_ids', values: ['3'] },
    { name: 'category_ids', field: 'category_ids', values: ['4'] },
  ]);
  expect(plan.ranges).toEqual([
    { name: 'price', field: 'price', bounds: [{ min: 10 }] },
    { name: 'price', field: 'price', bounds: [{ min: 5 }] },
  ]);
  expect(plan.terms).toEqual([{ name: 'brand', field: 'attributes.brand' }]);
  expect(plan.stats).toEqual([{ name: 'price_range', field: 'price' }]);
  expect(plan.buckets).toEqual([{ name: 'price', field: 'price', bounds: [{ max: 100 }] }]);
  expect([plan.sort, plan.facetSize, plan.countAll, plan.facetsAsked, plan.bucketsAsked]).toEqual([
    { field: 'created_date', desc: true },
    100,
    false,
    true,
    true,
  ]);
});

test('text with no word in it has no plan: it matches nothing on every engine', () => {
  expect(searchPlan({ text: '—  ?' }, profile)).toBeNull();
  expect(searchPlan({ text: '   ' }, profile)).not.toBeNull();
});
