import path from 'node:path';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { configuredProfile } from '../../src/profile/load';
import { BadRequest, parseAutocomplete, parseSearch, sortersOf } from '../../src/search/params';
import { widgetName, widgetsOf } from '../../src/search/widgets';
import { foldText } from '../../src/search/categories';

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

describe('GET /autocomplete parameters', () => {
  test('limit 1 to 20, default 5', () => {
    expect(parseAutocomplete(new URLSearchParams('q=ka'), example)).toEqual({ text: 'ka', locale: undefined, limit: 5 });
    expect(refused(() => parseAutocomplete(new URLSearchParams('q=ka&limit=21'), example)).param).toBe('limit');
    expect(refused(() => parseAutocomplete(new URLSearchParams('q=ka&page=2'), example)).param).toBe('page');
  });
});

test('category matching folds Turkish as shoppers type it', () => {
  expect(['Işık', 'İç Giyim', 'ŞAL', 'Çocuk', 'Gömlek', 'Ütü'].map(foldText)).toEqual(['isik', 'ic giyim', 'sal', 'cocuk', 'gomlek', 'utu']);
});
