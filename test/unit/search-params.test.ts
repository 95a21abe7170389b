import path from 'node:path';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { configuredProfile } from '../../src/profile/load';
import { BadRequest, parseSearch, sortersOf } from '../../src/search/params';
import { NotLive, SearchApi } from '../../src/search/api';
import { commerceKey, languageOf, parseCommerce } from '../../src/search/commerce';
import { bucketsOf, defaultBoundaries, parsePriceChoice } from '../../src/search/price-buckets';
import type { ServedIndex } from '../../src/sink/types';
import { widgetName, widgetsOf } from '../../src/search/widgets';
import { foldText } from '../../src/profile/fold';

const example = configuredProfile({ SEARCH_PROFILE: path.resolve(__dirname, '../../examples/turkish-fashion/profile.json') });

function refused(fn: () => unknown): { param: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof BadRequest) return { param: err.param, message: err.message };
    throw err;
  }
  throw new Error('expected a BadRequest');
}

describe('facet widgets from a profile', () => {
  test('the built-in profile gets a category tree first and a price slider last', () => {
    const widgets = widgetsOf(BUILTIN_PROFILE);
    expect(widgets.map((w) => [w.key, w.type])).toEqual([
      ['category', 'category'],
      ['integration_color', 'multiselect'],
      ['size', 'multiselect'],
      ['color', 'multiselect'],
      ['brand', 'multiselect'],
      ['price', 'range'],
    ]);
    expect(widgetName(widgets[0], 'tr-tr')).toBe('Kategori');
    expect(widgetName(widgets[5], undefined)).toBe('Price');
  });

  test("a profile's range facet on price is the slider, under its own key and labels", () => {
    const widgets = widgetsOf(example);
    expect(widgets.filter((w) => w.type === 'range').map((w) => w.key)).toEqual(['fiyat']);
    const fiyat = widgets.find((w) => w.key === 'fiyat')!;
    expect([widgetName(fiyat, 'tr-tr'), widgetName(fiyat, 'en-us'), widgetName(fiyat, 'en-gb'), widgetName(fiyat, 'de-de')]).toEqual([
      'Fiyat',
      'Price',
      'Price',
      'Fiyat',
    ]);
  });
});

describe('GET /search parameters', () => {
  const widgets = widgetsOf(example);
  const sorters = sortersOf(example);
  const parse = (q: string) => parseSearch(new URLSearchParams(q), example, widgets, sorters);

  test('every parameter is read into the request', () => {
    const r = parse(
      'q=%20mavi%20kazak%20&category=12&beden=M&beden=L&beden=M&fiyat_min=100&fiyat_max=499.9&sort=newest&page=3&page_size=48&locale=en-us&is_active=true&utm_source=x&_=1',
    );
    expect(r).toMatchObject({ text: 'mavi kazak', categoryId: 12, locale: 'en-us', isActive: true, page: 3, pageSize: 48 });
    expect(r.selected.get('beden')).toEqual(['M', 'L']);
    expect(r.bounds.get('fiyat')).toEqual({ min: 100, max: 499.9 });
    expect(r.sorter).toMatchObject({ value: 'newest', sort: '-created_date' });
  });

  test('defaults: relevance, page 1 of 24', () => {
    expect(parse('')).toMatchObject({ text: '', page: 1, pageSize: 24, sorter: { value: 'relevance' } });
  });

  test.each(
    [
      ['page=0', 'page'],
      ['page=1.5', 'page'],
      ['page_size=251', 'page_size'],
      ['page=41&page_size=250', 'page'],
      ['sort=cheapest', 'sort'],
      ['fiyat_min=abc', 'fiyat_min'],
      ['fiyat_min=1e3', 'fiyat_min'],
      ['fiyat_min=10&fiyat_max=5', 'fiyat_min'],
      ['price_min=10', 'price_min'],
      ['category=-1', 'category'],
      ['category=99999999999999999', 'category'],
      ['is_active=yes', 'is_active'],
      ['locale=de-de', 'locale'],
      ['q=a&q=b', 'q'],
      [`q=${'a'.repeat(201)}`, 'q'],
      [`beden=${'x'.repeat(201)}`, 'beden'],
      [Array.from({ length: 51 }, (_, i) => `beden=${i}`).join('&'), 'beden'],
      ['colour=red', 'colour'],
    ].map(([query, param]) => [query.length > 40 ? `${query.slice(0, 24)}… (${query.length} characters)` : query, query, param]),
  )('%s is refused', (_label, query, param) => {
    expect(refused(() => parse(query)).param).toBe(param);
  });

  test('a number facet takes numbers only', () => {
    const profile = { ...example, facets: [...example.facets, { key: 'indirim', field: 'discount_percentage', kind: 'terms' as const, labels: {} }] };
    const w = widgetsOf(profile);
    expect(parseSearch(new URLSearchParams('indirim=10'), profile, w, sortersOf(profile)).selected.get('indirim')).toEqual(['10']);
    expect(refused(() => parseSearch(new URLSearchParams('indirim=ten'), profile, w, sortersOf(profile))).param).toBe('indirim');
  });
});

/** An index the tests here never ask (parsing and the live check read the profile and the check's answer only). */
const nothing = () => Promise.reject(new Error('not searched here'));
const unused: ServedIndex = {
  indexName: 'products',
  search: nothing,
  count: nothing,
  get: nothing,
  scan: () => ({ [Symbol.asyncIterator]: () => ({ next: nothing }) }),
};

describe("the Commerce routes' parameters (Project Zero Next)", () => {
  const api = new SearchApi(unused, example);
  const parse = (query: string, headers = {}, scope?: number) => parseCommerce(new URLSearchParams(query), headers, api, scope);

  test('facets are asked by Commerce search keys: category_ids, price, attributes_<key>, or the facet key', () => {
    expect(api.widgets.map((w) => commerceKey(w))).toEqual(['category_ids', 'marka', 'attributes_integration_color', 'attributes_size', 'price']);
    const req = parse(
      'search_text=%20kazak%20&attributes_integration_color=SARI&attributes_integration_color=MAVI&marka=Koton&category_ids=4&sorter=-price&page=2&page_size=48',
    );
    expect(req).toMatchObject({ text: 'kazak', categoryId: 4, page: 2, pageSize: 48 });
    expect(req.sorter.value).toBe('-price');
    expect(Object.fromEntries(req.selected)).toEqual({ renk: ['SARI', 'MAVI'], marka: ['Koton'] });
  });

  test("a storefront's own parameters are ignored; a known one with a bad value is a 400 naming it", () => {
    expect(parse('layout=grid&limit=12&utm_source=x&fbclid=y&renk=SARI').selected.size).toBe(0);
    for (const [query, param] of [
      ['page=0', 'page'],
      ['page_size=251', 'page_size'],
      ['sorter=cheapest', 'sorter'],
      ['category_ids=abc', 'category_ids'],
      ['price=cheap', 'price'],
      ['price=500-100', 'price'],
      [`search_text=${'x'.repeat(201)}`, 'search_text'],
      ['page=500&page_size=250', 'page'],
    ]) {
      expect({ query, param: refused(() => parse(query)).param }).toEqual({ query, param });
    }
  });

  test('price choices: lo-hi and lo (the open top bucket), any of several', () => {
    expect(parse('price=0-250&price=750').priceChoices.map((c) => c.bounds)).toEqual([{ min: 0, max: 250, maxExclusive: true }, { min: 750 }]);
    expect(parsePriceChoice('99.90-199.90')).toMatchObject({ value: '99.9-199.9', bounds: { min: 99.9, max: 199.9 } });
    expect(parsePriceChoice('-5')).toBeNull();
  });

  test('a category page keeps its node, and a narrower category chosen on it', () => {
    expect(parse('', {}, 3)).toMatchObject({ categoryId: 3 });
    expect(parse('', {}, 3).scope).toBeUndefined();
    expect(parse('category_ids=7', {}, 3)).toMatchObject({ categoryId: 7, scope: 3 });
    // The category facet is single-choice: the last value given wins.
    expect(parse('category_ids=7&category_ids=9').categoryId).toBe(9);
  });

  test("Accept-Language picks the search locale among the profile's, and the language of names", () => {
    expect(languageOf('en-us', example)).toEqual({ language: 'en-us', locale: 'en-us' });
    expect(languageOf('en-GB,en;q=0.9,tr;q=0.8', example)).toEqual({ language: 'en-gb', locale: 'en-us' });
    expect(languageOf('tr-tr', example)).toEqual({ language: 'tr-tr' });
    expect(languageOf(undefined, example)).toEqual({});
    expect(languageOf('*;q=0.5, ;;', example)).toEqual({});
    expect(parse('', { 'accept-language': 'en' }).locale).toBe('en-us');
  });
});

describe('503 until live', () => {
  test('requests arriving while the index is first asked wait for that answer, and the engine is asked once', async () => {
    let asked = 0;
    const api = new SearchApi(unused, example, { hasLiveIndex: () => new Promise((resolve) => setImmediate(() => resolve(++asked > 0))) });
    await Promise.all(Array.from({ length: 16 }, () => api.assertLive()));
    expect(asked).toBe(1);
  });

  test('no index: refused, and asked again at most once a second', async () => {
    let asked = 0;
    const api = new SearchApi(unused, example, { hasLiveIndex: async () => (asked++, false) });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => api.assertLive()));
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('rejected'));
    await expect(api.assertLive()).rejects.toThrow(NotLive);
    expect(asked).toBe(1);
  });
});

describe('price buckets', () => {
  test('from boundaries: each [lo, hi), the last open', () => {
    expect(bucketsOf([250, 500]).map((b) => [b.value, b.label])).toEqual([
      ['0-250', '0 - 250'],
      ['250-500', '250 - 500'],
      ['500', '500+'],
    ]);
    expect(bucketsOf([])).toEqual([]);
  });

  test('derived from the highest price: round steps, about five buckets', () => {
    expect(defaultBoundaries(4999)).toEqual([1000, 2000, 3000, 4000]);
    expect(defaultBoundaries(870)).toEqual([200, 400, 600, 800]);
    expect(defaultBoundaries(12.5)).toEqual([2.5, 5, 7.5, 10]);
    expect(defaultBoundaries(null)).toEqual([]);
    expect(defaultBoundaries(0)).toEqual([]);
  });
});

test('category matching folds Turkish as shoppers type it', () => {
  expect(['Işık', 'İç Giyim', 'ŞAL', 'Çocuk', 'Gömlek', 'Ütü'].map(foldText)).toEqual(['isik', 'ic giyim', 'sal', 'cocuk', 'gomlek', 'utu']);
});
