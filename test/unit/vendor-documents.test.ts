/*
 * docs/CONTRACT.md §3 against the vendor document's own example records (test/fixtures/vendor-examples.json
 * holds the example responses verbatim). Expected documents are written out by hand.
 */
import examples from '../fixtures/vendor-examples.json';
import { loadConfig } from '../../src/config/load';
import { StateStore } from '../../src/state/store';
import { applyRow } from '../../src/sync/affected';
import { loadCategoryTree, loadProductInputs } from '../../src/sync/materialize';
import { buildProductDocument } from '../../src/document/product';
import { buildCategoryDocument } from '../../src/document/category';
import { categoryNodeSchema, prettyUrlSchema, productImageSchema, productPriceSchema, productSchema } from '../../src/source/schemas';
import type { ResourceName } from '../../src/source/resources';
import type { z } from 'zod';

type Raw = Record<string, unknown> & { id: number };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const results = (key: keyof typeof examples) => clone(examples[key].results) as unknown as Raw[];

const schemas: Record<string, z.ZodType> = {
  products: productSchema,
  product_prices: productPriceSchema,
  product_images: productImageSchema,
  category_nodes: categoryNodeSchema,
  pretty_urls: prettyUrlSchema,
};

function storeWith(env: Record<string, string>, rows: Partial<Record<ResourceName, Raw[]>>) {
  const config = loadConfig(env);
  const store = new StateStore(':memory:');
  for (const [resource, list] of Object.entries(rows)) {
    for (const raw of list ?? []) {
      const row = schemas[resource].parse(raw) as { id: number; modified_date: string };
      applyRow(store, config, resource as ResourceName, row, 0);
    }
  }
  const opts = { priceType: config.PRICE_TYPE, currency: config.CURRENCY, pathStep: config.CATEGORY_PATH_STEP };
  const build = (id: number) => buildProductDocument(loadProductInputs(store, [id]).get(id)!, loadCategoryTree(store), opts);
  return { store, build, tree: () => loadCategoryTree(store) };
}

const ATTRS_335 = {
  integration_color: 'SIYAH',
  has_dynamic_price: true,
  Age: '5-10',
  min_miktar: '5',
  max_miktar: '50',
  urun_artis_degeri: '5',
  description: '34',
};

describe('documents from the vendor example records, as printed', () => {
  const { build, tree } = storeWith(
    {},
    {
      products: results('products'),
      product_prices: results('product_prices'),
      product_images: results('product_images'),
      category_nodes: results('category_nodes'),
      pretty_urls: results('pretty_urls'),
    },
  );

  test('product 335 (a variant whose parent, price and pretty URL are not in the examples)', () => {
    expect(build(335)).toEqual({
      id: '335',
      product_id: 335,
      name: 'Test product',
      sku: 'TUP-001-XS',
      base_code: 'TUP-001',
      uuid: 'c4cd34ad-8270-4355-8715-62862c74cad1',
      product_type: '0',
      is_active: false,
      is_listable: false,
      parent_id: 8,
      attribute_set_id: 3,
      attributes: ATTRS_335,
      attribute_labels: {
        integration_color: 'SIYAH',
        has_dynamic_price: 'true',
        Age: 'Genç',
        min_miktar: '5',
        max_miktar: '50',
        urun_artis_degeri: '5',
        description: '34',
      },
      localized: { 'tr-tr': { attributes: { description: '34' }, url: null } },
      price: null,
      retail_price: null,
      tax_rate: null,
      currency: null,
      discount_percentage: 0,
      prices: [],
      images: [],
      image: null,
      url: null,
      urls: {},
      categories: [],
      category_ids: [],
      category_names: [],
      breadcrumbs: [],
      variants: [],
      created_date: '2023-03-10T13:46:04.258931Z',
      modified_date: '2024-06-13T07:47:16.178157Z',
    });
  });

  test('product 10 (a bundle with no pretty URL)', () => {
    expect(build(10)).toEqual({
      id: '10',
      product_id: 10,
      name: 'bundle test',
      sku: '1234568686',
      base_code: 'bundle test',
      uuid: '6fa16734-0678-4a86-8827-d0e596fe49ef',
      product_type: '2',
      is_active: true,
      is_listable: false,
      parent_id: null,
      attribute_set_id: 3,
      attributes: { integration_color: 'WHITE' },
      attribute_labels: { integration_color: '2021' },
      localized: {},
      price: null,
      retail_price: null,
      tax_rate: null,
      currency: null,
      discount_percentage: 0,
      prices: [],
      images: [],
      image: null,
      url: null,
      urls: {},
      categories: [],
      category_ids: [],
      category_names: [],
      breadcrumbs: [],
      variants: [],
      created_date: '2021-12-14T09:31:39.145820Z',
      modified_date: '2024-09-19T07:03:55.313919Z',
    });
  });

  test('category documents: ancestors are the nodes that exist, parent_id only when the parent exists', () => {
    const t = tree();
    expect([9, 100, 166].map((id) => buildCategoryDocument(t.byId.get(id)!, t, 4))).toEqual([
      {
        id: 9,
        name: 'Swimwear',
        uuid: '1d362f9e-6f50-4235-bf36-1bd134194f50',
        attributes: {},
        path: '0001000100010005',
        depth: 4,
        parent_id: null,
        ancestors: [],
        url: null,
        urls: {},
        order: 1,
        numchild: 1,
      },
      {
        id: 100,
        name: 'puf',
        uuid: '97665973-ed41-408d-ba07-e494a7d3e478',
        attributes: {},
        path: '00010001000100050001',
        depth: 5,
        parent_id: 9,
        ancestors: [{ id: 9, name: 'Swimwear' }],
        url: null,
        urls: {},
        order: 1,
        numchild: 1,
      },
      {
        id: 166,
        name: 'Sandalet',
        uuid: '23c6903c-1e3d-472c-8fd7-565a16a9f623',
        attributes: {},
        path: '000100010001000500010001',
        depth: 6,
        parent_id: 100,
        ancestors: [
          { id: 9, name: 'Swimwear' },
          { id: 100, name: 'puf' },
        ],
        url: null,
        urls: {},
        order: 1,
        numchild: 0,
      },
    ]);
  });
});

describe('documents from the vendor example records, joined', () => {
  // The same records with only their foreign keys pointed at each other, so every join is exercised.
  const products = results('products');
  products[0].parent = 10; // 335 becomes a variant of 10
  products[1].pretty_url = 57;
  (products[1].attributes as Record<string, unknown>).category_ids = '166,9';
  const prices = results('product_prices');
  prices[0].product = 335; // 628: 199.00 try
  prices[1].product = 10; // 496: 109.99 of 111.99 try
  prices[2].product = 10; // 67: 150.00 ...
  prices[2].currency_type = 'usd'; // ... in another currency
  const images = results('product_images');
  images.forEach((i) => (i.product = 10)); // both order 0: the lower id first
  const urls = results('pretty_urls');
  urls[1].parent = 57; // /privacy becomes the en-us translation of /terms
  urls[1].language = 'en-us';

  const { build, tree } = storeWith(
    { CURRENCY: 'TRY' },
    { products, product_prices: prices, product_images: images, category_nodes: results('category_nodes'), pretty_urls: urls },
  );

  test('product 10 with prices, images, URLs, categories and a variant', () => {
    expect(build(10)).toEqual({
      id: '10',
      product_id: 10,
      name: 'bundle test',
      sku: '1234568686',
      base_code: 'bundle test',
      uuid: '6fa16734-0678-4a86-8827-d0e596fe49ef',
      product_type: '2',
      is_active: true,
      is_listable: false,
      parent_id: null,
      attribute_set_id: 3,
      attributes: { integration_color: 'WHITE', category_ids: '166,9' },
      attribute_labels: { integration_color: '2021', category_ids: '166,9' },
      localized: {
        'en-us': { attributes: {}, url: '/privacy' },
        'tr-tr': { attributes: {}, url: '/terms' },
      },
      price: 109.99,
      retail_price: 111.99,
      tax_rate: 0.18,
      currency: 'try',
      discount_percentage: 1.79,
      prices: [
        { price_type: 'default', currency: 'try', price: 109.99, retail_price: 111.99, tax_rate: 0.18 },
        { price_type: 'default', currency: 'usd', price: 150, retail_price: 150, tax_rate: 10 },
      ],
      images: [
        {
          id: 26,
          url: 'https://a7c0d7.cdn.akinoncloud.com/products/2021/05/21/134/d1920ecc-21ac-4310-b752-cb680331113a.jpg',
          width: 101,
          height: 80,
          order: 0,
        },
        {
          id: 2919,
          url: 'https://a7c0d7.cdn.akinoncloud.com/products/2022/06/08/563/c9a1c9ce-db3c-46a9-8aa0-ae28cde75312.jpg',
          width: 1000,
          height: 1500,
          order: 0,
        },
      ],
      image: 'https://a7c0d7.cdn.akinoncloud.com/products/2021/05/21/134/d1920ecc-21ac-4310-b752-cb680331113a.jpg',
      url: '/terms',
      urls: { 'en-us': '/privacy', 'tr-tr': '/terms' },
      categories: [
        { id: 9, name: 'Swimwear', path: '0001000100010005', depth: 4, url: null },
        { id: 166, name: 'Sandalet', path: '000100010001000500010001', depth: 6, url: null },
      ],
      category_ids: [9, 100, 166],
      category_names: ['Swimwear', 'puf', 'Sandalet'],
      breadcrumbs: [['Swimwear'], ['Swimwear', 'puf', 'Sandalet']],
      variants: [{ id: 335, sku: 'TUP-001-XS', name: 'Test product', is_active: false, attributes: ATTRS_335, price: 199 }],
      created_date: '2021-12-14T09:31:39.145820Z',
      modified_date: '2024-09-19T07:03:55.313919Z',
    });
  });

  test('variant 335 with its own price', () => {
    const doc = build(335);
    expect(doc.parent_id).toBe(10);
    expect(doc.prices).toEqual([{ price_type: 'default', currency: 'try', price: 199, retail_price: 199, tax_rate: 8 }]);
    expect([doc.price, doc.retail_price, doc.tax_rate, doc.currency, doc.discount_percentage]).toEqual([199, 199, 8, 'try', 0]);
  });

  test('the vendor category node pretty_url documented as a String is accepted', () => {
    const node = categoryNodeSchema.parse({ ...results('category_nodes')[0], pretty_url: '67' });
    expect(node.pretty_url).toBe(67);
    expect(tree().byId.get(9)!.pretty_url).toBe(67);
  });
});
