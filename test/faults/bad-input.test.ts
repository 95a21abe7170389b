/*
 * Property-based: whatever a source sends, validation never crashes, and whatever validation lets
 * through, the builder turns into a well-formed document.
 */
import fc from 'fast-check';
import { categoryNodeSchema, deletedItemSchema, prettyUrlSchema, productImageSchema, productPriceSchema, productSchema } from '../../src/source/schemas';
import { buildProductDocument } from '../../src/document/product';
import { buildCategoryDocument } from '../../src/document/category';
import { categoryTree } from '../../src/document/tree';
import { categoryIdsFromAttribute } from '../../src/document/links';
import examples from '../fixtures/vendor-examples.json';

/** Strings that break naive code: Turkish casing, RTL marks, emoji, NUL, empty, 1 MB. */
const nasty = fc.oneof(
  fc.constantFrom('', 'İıIi', 'ışık İSTANBUL', '\u202Eevil\u202C', 'مرحبا', '😀👍🏽', 'a\u0000b', ' ', '0', '-1', 'null', 'x'.repeat(1_000_000)),
  fc.string(),
  fc.fullUnicodeString(),
);
const anyValue = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer()), fc.object());

const samples = {
  products: examples.products.results[0] as Record<string, unknown>,
  product_prices: examples.product_prices.results[0] as Record<string, unknown>,
  product_images: examples.product_images.results[0] as Record<string, unknown>,
  category_nodes: examples.category_nodes.results[0] as Record<string, unknown>,
  pretty_urls: examples.pretty_urls.results[0] as Record<string, unknown>,
  deleted_items: examples.deleted_items.results[0] as Record<string, unknown>,
};
const schemas = {
  products: productSchema,
  product_prices: productPriceSchema,
  product_images: productImageSchema,
  category_nodes: categoryNodeSchema,
  pretty_urls: prettyUrlSchema,
  deleted_items: deletedItemSchema,
};

describe.each(Object.keys(schemas) as (keyof typeof schemas)[])('%s records', (resource) => {
  const schema = schemas[resource];
  const sample = samples[resource];

  test('any field given any value: validation never throws, and a failure names the field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(sample)), anyValue, (field, value) => {
        const record = { ...sample, [field]: value };
        const result = schema.safeParse(record);
        // The sample is valid, so a failure can only be the changed field's, and it is named.
        if (!result.success) expect(result.error.issues.map((i) => i.path[0])).toContain(field);
      }),
      { numRuns: 300 },
    );
  });

  test('entirely arbitrary input never throws', () => {
    fc.assert(
      fc.property(anyValue, (value) => void schema.safeParse(value)),
      { numRuns: 300 },
    );
  });
});

test('valid products with hostile text and attributes always build a well-formed document', () => {
  const tree = categoryTree(
    examples.category_nodes.results.map((n) => categoryNodeSchema.parse(n)),
    [],
  );
  fc.assert(
    fc.property(
      nasty,
      fc.dictionary(
        fc.string(),
        anyValue.filter((v) => v !== undefined),
      ),
      fc.oneof(fc.constant(null), fc.integer({ min: 1 })),
      fc.array(
        fc.record({ price: fc.double({ min: 0, max: 1e9, noNaN: true }), retail: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1e9, noNaN: true })) }),
        { maxLength: 4 },
      ),
      (name, attributes, parent, prices) => {
        const product = productSchema.parse({ ...samples.products, name, attributes: { ...attributes, category_ids: '9,166,x' }, parent });
        const doc = buildProductDocument(
          {
            product,
            prices: prices.map((p, i) =>
              productPriceSchema.parse({
                ...samples.product_prices,
                id: i + 1,
                price: p.price.toFixed(2),
                retail_price: p.retail === null ? null : p.retail.toFixed(2),
              }),
            ),
            images: [],
            prettyUrl: null,
            urlTranslations: [],
            linkedCategoryIds: categoryIdsFromAttribute(product.attributes.category_ids),
            variants: [],
          },
          tree,
          { priceType: 'default', pathStep: 4 },
        );
        expect(doc.name).toBe(name);
        expect(Number.isFinite(doc.discount_percentage)).toBe(true);
        expect(doc.discount_percentage).toBeGreaterThanOrEqual(0);
        expect(Object.keys(doc.attribute_labels)).toEqual(Object.keys(product.attributes));
        expect(doc.category_ids).toEqual([9, 100, 166]);
        expect(() => JSON.stringify(doc)).not.toThrow();
      },
    ),
    { numRuns: 200 },
  );
  const node = tree.byId.get(166)!;
  expect(buildCategoryDocument(node, tree, 4).ancestors.map((a) => a.id)).toEqual([9, 100]);
});
