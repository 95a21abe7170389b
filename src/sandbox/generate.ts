import { Rng } from './random';
import { CT, type RawRecord, type Tables } from './tables';
import { ADJECTIVES, CATEGORY_TREE, COLORS, SIZES, slugify } from './words';

/*
 * Records as a real Omnitron holds them: category nodes with their pretty URLs, products (some with
 * variants) with their category links, prices, images and URLs. Deterministic for a seed; what the
 * tests and the live demo add later goes through the same makers, stamped by the clock.
 */

/** Where the sandbox's images live: a host that does not exist (the console draws them itself). */
export const SANDBOX_IMAGE_ORIGIN = 'https://cdn.sandbox.local';

export class RecordMaker {
  private readonly base = Date.parse('2023-01-02T08:00:00Z');

  constructor(
    private readonly tables: Tables,
    private readonly rng: Rng,
  ) {}

  private past(): string {
    const ms = this.base + this.rng.int(0, 600 * 86_400) * 1000;
    return `${new Date(ms).toISOString().slice(0, 19)}.${String(this.rng.int(0, 999_999)).padStart(6, '0')}Z`;
  }

  private prettyUrl(newPath: string, oldPath: string, language: string, parent: number | null, kwargs: Record<string, string>, stamp?: string): RawRecord {
    const created = stamp ?? this.past();
    return this.tables.insert('pretty-urls', {
      created_date: created,
      modified_date: stamp ?? created,
      new_path: newPath,
      old_path: oldPath,
      func_module: 'omnishop.products.resources.views',
      func_name: oldPath.startsWith('/product') ? 'ProductDetailPageApiView' : 'CategoryDetailPageApiView',
      func_initkwargs: {},
      viewname: oldPath.startsWith('/product') ? 'product' : 'category',
      args: [],
      kwargs,
      query_params: {},
      language,
      parent,
    });
  }

  /** A catalog of `products` products under the fixed category tree, with old tombstones. */
  generate(products: number): void {
    const nodes = this.generateCategories();
    const leafIds = nodes.filter((n) => n.numchild === 0).map((n) => n.id);
    const target = products;
    let made = 0;
    while (made < target) {
      const isParent = target - made >= 3 && this.rng.chance(0.2);
      const parent = this.createProduct({ leafIds, productType: isParent ? '1' : '0', parent: null, stamp: undefined });
      made++;
      if (isParent) {
        const variants = Math.min(this.rng.int(2, 4), target - made);
        for (let v = 0; v < variants; v++, made++) this.createProduct({ leafIds, productType: '0', parent, stamp: undefined });
      }
    }
    // Old tombstones: objects deleted long ago (never in the catalog) and models the feeder ignores.
    for (let i = 0; i < 5; i++) {
      this.tables.insert('deleted-items', {
        object_id: String(900_000 + i),
        deleted_date: this.past(),
        content_type: this.rng.pick([CT.product, CT.price, CT.basketitem, 6]),
      });
    }
  }

  private generateCategories(): RawRecord[] {
    const made: RawRecord[] = [];
    const step = (n: number) => String(n).padStart(4, '0');
    CATEGORY_TREE.forEach(([tr, en, children], i) => {
      const rootPath = step(i + 1);
      const root: [string, string] = [tr, en];
      made.push(this.addCategoryNode(rootPath, [root], children.length, i + 1));
      children.forEach(([ctr, cen, leaves], j) => {
        const childPath = rootPath + step(j + 1);
        const child: [string, string] = [ctr, cen];
        made.push(this.addCategoryNode(childPath, [root, child], leaves.length, j + 1));
        leaves.forEach((leaf, k) => made.push(this.addCategoryNode(childPath + step(k + 1), [root, child, leaf], 0, k + 1)));
      });
    });
    return made;
  }

  /** One category node at `path`, named by the last [Turkish, English] pair of its trail, with its pretty URLs. */
  private addCategoryNode(path: string, trail: [string, string][], numchild: number, order: number): RawRecord {
    const [tr, en] = trail[trail.length - 1];
    const created = this.past();
    const slugTr = trail.map(([t]) => slugify(t)).join('/');
    const slugEn = trail.map(([, e]) => slugify(e)).join('/');
    const nodeId = this.tables.peekId('catalogs/category-nodes');
    const url = this.prettyUrl(`/${slugTr}/`, `/category/${nodeId}/`, 'tr-tr', null, { pk: String(nodeId) });
    this.prettyUrl(`/en/${slugEn}/`, `/category/${nodeId}/`, 'en-us', url.id, { pk: String(nodeId) });
    return this.tables.insert('catalogs/category-nodes', {
      created_date: created,
      modified_date: created,
      uuid: this.rng.uuid(),
      attributes: {},
      attributes_kwargs: {},
      localized_attributes: { 'en-us': { name: en } },
      localized_attributes_kwargs: {},
      path,
      depth: path.length / 4,
      numchild,
      order,
      name: tr,
      pretty_url: url.id,
      sort_option: this.rng.int(100, 999),
    });
  }

  createProduct(opts: { leafIds: number[]; productType: string; parent: RawRecord | null; stamp?: string }): RawRecord {
    const r = this.rng;
    const created = opts.stamp ?? this.past();
    const id = this.tables.peekId('products/products');
    const parent = opts.parent;
    const [adjTr, adjEn] = r.pick(ADJECTIVES);
    const leaf = this.tables.get('catalogs/category-nodes', parent ? categoryOf(parent)[0] : r.pick(opts.leafIds));
    const noun = typeof leaf?.name === 'string' ? leaf.name : 'Ürün';
    const color = r.pick(COLORS);
    const size = r.pick(SIZES);
    const baseCode = parent ? String(parent.base_code) : `AKN-${String(id).padStart(6, '0')}`;
    const categories = parent ? categoryOf(parent) : [leaf!.id, ...(r.chance(0.15) ? [r.pick(opts.leafIds)] : [])];
    const catValue = categories.length > 1 ? (r.chance(0.5) ? categories : categories.join(',')) : r.chance(0.5) ? categories[0] : String(categories[0]);
    const name = parent ? `${String(parent.name)} ${size}` : `${adjTr} ${color.tr} ${noun}`;
    const prettyUrl = !parent || r.chance(0.3) ? this.productUrl(id, name, `${adjEn} ${color.en}`, opts.stamp) : null;
    const product = this.tables.insert('products/products', {
      product_type: opts.productType,
      created_date: created,
      modified_date: created,
      attributes: {
        integration_color: color.code,
        size,
        has_dynamic_price: r.chance(0.5) ? r.chance(0.5) : r.pick(['yes', 'no']),
        category_ids: catValue,
        material: adjTr,
        ...(r.chance(0.3) ? { description: `${adjTr} ${noun.toLocaleLowerCase('tr')}, günlük kullanım için.` } : {}),
      },
      attributes_kwargs: {
        integration_color: { _translations: { 'en-us': { label: color.en } }, data_type: 'dropdown', value: color.code, label: color.tr },
      },
      localized_attributes: r.chance(0.6) ? { 'en-us': { name: `${adjEn} ${color.en} product`, material: adjEn } } : {},
      localized_attributes_kwargs: {},
      name,
      base_code: baseCode,
      sku: `${baseCode}-${String(size)}`,
      uuid: r.uuid(),
      is_active: r.chance(0.92),
      extra_attributes: {},
      listing_code: null,
      is_seller_product: false,
      is_listable: parent ? r.chance(0.2) : r.chance(0.88),
      is_form_required: false,
      parent: parent?.id ?? null,
      attribute_set: r.int(1, 5),
      custom_attribute_set: null,
      pretty_url: prettyUrl,
      listable_product: null,
      data_source: null,
      group_products: [],
    });
    this.addJoinedRows(id, categories, created, opts.stamp);
    return product;
  }

  /** A product's Turkish pretty URL and, usually, its English translation; returns the Turkish one's id. */
  private productUrl(id: number, name: string, englishName: string, stamp?: string): number {
    const url = this.prettyUrl(`/${slugify(name)}-${id}/`, `/product/${id}/`, 'tr-tr', null, { pk: String(id) }, stamp);
    if (this.rng.chance(0.7)) this.prettyUrl(`/en/${slugify(englishName)}-${id}/`, `/product/${id}/`, 'en-us', url.id, { pk: String(id) }, stamp);
    return url.id;
  }

  /** What joins to a new product: its category link rows, prices and images. */
  private addJoinedRows(id: number, categories: number[], created: string, stamp?: string): void {
    const r = this.rng;
    for (const category of categories) {
      this.tables.insert('products/product-categories', { created_date: created, modified_date: created, product: id, category });
    }
    if (r.chance(0.96)) this.addPrice(id, 'default', 'try', stamp);
    if (r.chance(0.25)) this.addPrice(id, 'default', 'usd', stamp);
    if (r.chance(0.15)) this.addPrice(id, 'discount', 'try', stamp);
    const images = r.int(0, 3);
    for (let i = 0; i < images; i++) this.addImage(id, i, stamp);
  }

  addPrice(product: number, priceType: string, currency: string, stamp?: string): RawRecord {
    const created = stamp ?? this.past();
    const retail = this.rng.int(50, 5000) + this.rng.pick([0, 0.5, 0.99, 0.9]);
    const price = this.rng.chance(0.4) ? retail * this.rng.pick([0.7, 0.8, 0.9, 0.95]) : retail;
    return this.tables.insert('catalogs/product-prices', {
      currency_type: currency,
      price_type: priceType,
      created_date: created,
      modified_date: created,
      retail_price: retail.toFixed(2),
      tax_rate: this.rng.pick(['8.00', '18.00', '20.00', '0.18', '10.00']),
      price: price.toFixed(2),
      extra_field: {},
      product,
    });
  }

  private addImage(product: number, order: number, stamp?: string): RawRecord {
    const created = stamp ?? this.past();
    return this.tables.insert('products/product-images', {
      status: this.rng.chance(0.85) ? 'active' : 'disabled',
      created_date: created,
      modified_date: created,
      image: `${SANDBOX_IMAGE_ORIGIN}/products/${product}/${this.rng.uuid()}.jpg`,
      height: this.rng.pick([1500, 1200, 800, 80]),
      width: this.rng.pick([1000, 800, 600, 101]),
      order: this.rng.chance(0.9) ? order : 0,
      product,
    });
  }
}

function categoryOf(product: RawRecord): number[] {
  const v = (product.attributes as Record<string, unknown>).category_ids;
  const list = Array.isArray(v) ? v : String(v).split(',');
  return list.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}
