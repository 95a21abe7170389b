import { buildProductDocument, choosePrice, discount } from '../../src/document/product';
import { categoryIdsFromAttribute } from '../../src/document/links';
import { ancestorPaths } from '../../src/document/tree';
import { categoryTree } from '../../src/document/tree';
import type { ProductInput } from '../../src/document/types';
import { productSchema, productPriceSchema, productImageSchema, prettyUrlSchema, categoryNodeSchema } from '../../src/source/schemas';

const product = (over: Record<string, unknown> = {}) =>
  productSchema.parse({
    id: 1,
    created_date: '2024-01-01T00:00:00Z',
    modified_date: '2024-01-01T00:00:00.000001Z',
    is_active: true,
    is_listable: true,
    name: 'P',
    ...over,
  });
const price = (id: number, over: Record<string, unknown> = {}) =>
  productPriceSchema.parse({ id, product: 1, currency_type: 'try', price_type: 'default', modified_date: '2024-01-01T00:00:00Z', price: '10.00', ...over });
const input = (over: Partial<ProductInput> = {}): ProductInput => ({
  product: product(),
  prices: [],
  images: [],
  prettyUrl: null,
  urlTranslations: [],
  linkedCategoryIds: [],
  variants: [],
  ...over,
});
const opts = { priceType: 'default', pathStep: 4 };
const emptyTree = categoryTree([], []);

describe('category links from the attribute', () => {
  test.each([
    [5, [5]],
    ['5', [5]],
    [
      [7, '3', 7],
      [3, 7],
    ],
    ['12, 4,x,,-1', [4, 12]],
    [null, []],
    [{ a: 1 }, []],
    [2.5, []],
  ])('%j -> %j', (value, ids) => expect(categoryIdsFromAttribute(value)).toEqual(ids));

  test('ancestor paths', () => {
    expect(ancestorPaths('0001000100010005', 4)).toEqual(['0001', '00010001', '000100010001']);
    expect(ancestorPaths('0001', 4)).toEqual([]);
  });
});

describe('price selection', () => {
  const rows = [price(9, { currency_type: 'usd' }), price(5, { price_type: 'sale' }), price(7), price(3, { currency_type: 'USD' })];
  test('lowest id of PRICE_TYPE when CURRENCY is unset', () => expect(choosePrice(rows, opts)?.id).toBe(3));
  test('CURRENCY matches case-insensitively', () => expect(choosePrice(rows, { ...opts, currency: 'try' })?.id).toBe(7));
  test('no row in CURRENCY: no price', () => expect(choosePrice(rows, { ...opts, currency: 'eur' })).toBeNull());
  test('discount', () => {
    expect(discount(109.99, 111.99)).toBe(1.79);
    expect(discount(50, 200)).toBe(75);
    expect(discount(200, 100)).toBe(0);
    expect(discount(0, 100)).toBe(0);
    expect(discount(10, null)).toBe(0);
  });
});

describe('product document details', () => {
  test('images: active only, by order then id; image is the first', () => {
    const img = (id: number, order: number, status = 'active') =>
      productImageSchema.parse({ id, product: 1, status, modified_date: '2024-01-01T00:00:00Z', image: `u${id}`, width: 1, height: 2, order });
    const doc = buildProductDocument(input({ images: [img(4, 1), img(2, 1), img(1, 0, 'disabled'), img(3, 0)] }), emptyTree, opts);
    expect(doc.images.map((i) => i.url)).toEqual(['u3', 'u2', 'u4']);
    expect(doc.image).toBe('u3');
  });

  test('modified_date: the latest instant across joined rows, written as that row gives it', () => {
    const doc = buildProductDocument(
      input({
        // 03:00+03:00 is 00:00Z: earlier than the product's 00:00:00.000001Z despite reading later.
        prices: [price(1, { modified_date: '2024-01-01T03:00:00+03:00' })],
        images: [productImageSchema.parse({ id: 1, product: 1, status: 'disabled', modified_date: '2024-01-01T00:00:00.000002Z', image: 'x', order: 0 })],
      }),
      emptyTree,
      opts,
    );
    expect(doc.modified_date).toBe('2024-01-01T00:00:00.000002Z');
  });

  test('attribute labels: label when given, else the value as text', () => {
    const doc = buildProductDocument(
      input({
        product: product({
          attributes: { a: 1, b: [1, 2], c: null, d: { x: 1 }, e: 'v', f: false },
          attributes_kwargs: { e: { label: 'Label' }, f: { value: false } },
        }),
      }),
      emptyTree,
      opts,
    );
    expect(doc.attribute_labels).toEqual({ a: '1', b: '[1,2]', c: null, d: '{"x":1}', e: 'Label', f: 'false' });
  });

  test('unknown category ids are ignored; missing ancestors skipped in breadcrumbs', () => {
    const node = (id: number, path: string, name: string) =>
      categoryNodeSchema.parse({ id, path, depth: path.length / 4, name, modified_date: '2024-01-01T00:00:00Z' });
    const tree = categoryTree([node(1, '0001', 'Kadın'), node(3, '000100010001', 'Elbise')], []);
    const doc = buildProductDocument(input({ linkedCategoryIds: [3, 999] }), tree, opts);
    expect(doc.category_ids).toEqual([1, 3]);
    expect(doc.breadcrumbs).toEqual([['Kadın', 'Elbise']]);
    expect(doc.categories.map((c) => c.id)).toEqual([3]);
  });

  test('urls: default language first, then translations by id', () => {
    const url = (id: number, language: string | null, parent: number | null, path: string) =>
      prettyUrlSchema.parse({ id, language, parent, new_path: path, modified_date: '2024-01-01T00:00:00Z' });
    const doc = buildProductDocument(
      input({ prettyUrl: url(1, 'tr-tr', null, '/a'), urlTranslations: [url(5, 'en-us', 1, '/e2'), url(4, 'en-us', 1, '/e1'), url(6, null, 1, '/n')] }),
      emptyTree,
      opts,
    );
    expect(doc.urls).toEqual({ 'en-us': '/e1', 'tr-tr': '/a' });
    expect(doc.localized).toEqual({ 'en-us': { attributes: {}, url: '/e1' }, 'tr-tr': { attributes: {}, url: '/a' } });
  });
});
