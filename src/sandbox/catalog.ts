import { Rng } from './random';
import { ADJECTIVES, CATEGORY_TREE, COLORS, SIZES, slugify } from './words';

/* The sandbox catalog: every resource as the vendor's API returns it, kept in id order. */

/** Where the sandbox's images live: a host that does not exist (the console draws them itself). */
export const SANDBOX_IMAGE_ORIGIN = 'https://cdn.sandbox.local';

export type RawRecord = { id: number } & Record<string, unknown>;

export const RESOURCE_PATHS = [
  'products/products',
  'products/product-images',
  'catalogs/product-prices',
  'catalogs/category-nodes',
  'pretty-urls',
  'deleted-items',
  'content-types',
  /** Not a vendor resource: link rows for deployments that expose one (CATEGORY_LINK=endpoint). */
  'products/product-categories',
] as const;
export type ResourcePath = (typeof RESOURCE_PATHS)[number];

/** Content types as a real Omnitron lists them: ids are not 1..5, and unrelated models abound. */
const CONTENT_TYPES: RawRecord[] = [
  { id: 1, app_label: 'products', model: 'product' },
  { id: 2, app_label: 'menus', model: 'menuitemmodel' },
  { id: 3, app_label: 'cms', model: 'widget' },
  { id: 4, app_label: 'cms', model: 'seo' },
  { id: 5, app_label: 'cms', model: 'landingpage' },
  { id: 6, app_label: 'users', model: 'user' },
  { id: 7, app_label: 'promotions', model: 'loyaltycard' },
  { id: 8, app_label: 'admin', model: 'logentry' },
  { id: 9, app_label: 'auth', model: 'group' },
  { id: 10, app_label: 'auth', model: 'permission' },
  { id: 45, app_label: 'products', model: 'productimage' },
  { id: 61, app_label: 'prices', model: 'ProductPrice' },
  { id: 87, app_label: 'catalogs', model: 'categorynode' },
  { id: 112, app_label: 'urls', model: 'prettyurl' },
  { id: 138, app_label: 'baskets', model: 'basketitem' },
];
const CT = { product: 1, image: 45, price: 61, node: 87, url: 112, basketitem: 138 };

/** A clock that tests can move forward instead of sleeping. */
export class SandboxClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Microsecond timestamp text as the vendor writes it: 2024-06-13T07:47:16.178157Z. */
  stamp(): string {
    const micros = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
    return `${this.now().toISOString().slice(0, 23)}${micros}Z`;
  }
}

export interface CatalogOptions {
  products: number;
  seed: number;
}

export class Catalog {
  readonly clock = new SandboxClock();
  private readonly tables = new Map<ResourcePath, RawRecord[]>();
  private readonly nextIds = new Map<ResourcePath, number>();
  private readonly rng: Rng;
  private readonly base = Date.parse('2023-01-02T08:00:00Z');

  constructor(readonly options: CatalogOptions) {
    this.rng = new Rng(options.seed);
    for (const p of RESOURCE_PATHS) this.tables.set(p, []);
    this.tables.set(
      'content-types',
      CONTENT_TYPES.map((c) => ({ ...c })),
    );
    this.generate();
  }

  /** Rows of a resource, ascending by id. Do not mutate: use the methods below. */
  rows(path: ResourcePath): readonly RawRecord[] {
    return this.tables.get(path)!;
  }

  get(path: ResourcePath, id: number): RawRecord | undefined {
    const rows = this.tables.get(path)!;
    const i = lowerBound(rows, id);
    return rows[i]?.id === id ? rows[i] : undefined;
  }

  // --- generation ----------------------------------------------------------------------------

  private past(): string {
    const ms = this.base + this.rng.int(0, 600 * 86_400) * 1000;
    return `${new Date(ms).toISOString().slice(0, 19)}.${String(this.rng.int(0, 999_999)).padStart(6, '0')}Z`;
  }

  /** The id the next insert gets: ids are never reused, as with a database sequence. */
  private peekId(path: ResourcePath): number {
    const rows = this.tables.get(path)!;
    return this.nextIds.get(path) ?? (rows.length ? rows[rows.length - 1].id + 1 : 1);
  }

  private insert(path: ResourcePath, record: Omit<RawRecord, 'id'>, id?: number): RawRecord {
    const rows = this.tables.get(path)!;
    const nextId = id ?? this.peekId(path);
    const row = { id: nextId, ...record } as RawRecord;
    const i = lowerBound(rows, nextId);
    if (rows[i]?.id === nextId) rows[i] = row;
    else rows.splice(i, 0, row);
    this.nextIds.set(path, Math.max(this.nextIds.get(path) ?? 1, nextId + 1));
    return row;
  }

  private prettyUrl(newPath: string, oldPath: string, language: string, parent: number | null, kwargs: Record<string, string>, stamp?: string): RawRecord {
    const created = stamp ?? this.past();
    return this.insert('pretty-urls', {
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

  private generate(): void {
    const nodes = this.generateCategories();
    const leafIds = nodes.filter((n) => n.numchild === 0).map((n) => n.id);
    const target = this.options.products;
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
      this.insert('deleted-items', {
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
    const nodeId = this.peekId('catalogs/category-nodes');
    const url = this.prettyUrl(`/${slugTr}/`, `/category/${nodeId}/`, 'tr-tr', null, { pk: String(nodeId) });
    this.prettyUrl(`/en/${slugEn}/`, `/category/${nodeId}/`, 'en-us', url.id, { pk: String(nodeId) });
    return this.insert('catalogs/category-nodes', {
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

  private createProduct(opts: { leafIds: number[]; productType: string; parent: RawRecord | null; stamp?: string }): RawRecord {
    const r = this.rng;
    const created = opts.stamp ?? this.past();
    const id = this.peekId('products/products');
    const parent = opts.parent;
    const [adjTr, adjEn] = r.pick(ADJECTIVES);
    const leaf = this.get('catalogs/category-nodes', parent ? categoryOf(parent)[0] : r.pick(opts.leafIds));
    const noun = typeof leaf?.name === 'string' ? leaf.name : 'Ürün';
    const color = r.pick(COLORS);
    const size = r.pick(SIZES);
    const baseCode = parent ? String(parent.base_code) : `AKN-${String(id).padStart(6, '0')}`;
    const categories = parent ? categoryOf(parent) : [leaf!.id, ...(r.chance(0.15) ? [r.pick(opts.leafIds)] : [])];
    const catValue = categories.length > 1 ? (r.chance(0.5) ? categories : categories.join(',')) : r.chance(0.5) ? categories[0] : String(categories[0]);
    const name = parent ? `${String(parent.name)} ${size}` : `${adjTr} ${color.tr} ${noun}`;
    const prettyUrl = !parent || r.chance(0.3) ? this.productUrl(id, name, `${adjEn} ${color.en}`, opts.stamp) : null;
    const product = this.insert('products/products', {
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
      this.insert('products/product-categories', { created_date: created, modified_date: created, product: id, category });
    }
    if (r.chance(0.96)) this.addPrice(id, 'default', 'try', stamp);
    if (r.chance(0.25)) this.addPrice(id, 'default', 'usd', stamp);
    if (r.chance(0.15)) this.addPrice(id, 'discount', 'try', stamp);
    const images = r.int(0, 3);
    for (let i = 0; i < images; i++) this.addImage(id, i, stamp);
  }

  private addPrice(product: number, priceType: string, currency: string, stamp?: string): RawRecord {
    const created = stamp ?? this.past();
    const retail = this.rng.int(50, 5000) + this.rng.pick([0, 0.5, 0.99, 0.9]);
    const price = this.rng.chance(0.4) ? retail * this.rng.pick([0.7, 0.8, 0.9, 0.95]) : retail;
    return this.insert('catalogs/product-prices', {
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
    return this.insert('products/product-images', {
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

  // --- mutations (tests, live demo) -------------------------------------------------------------

  private touch(path: ResourcePath, id: number, change: Record<string, unknown>): RawRecord | undefined {
    const row = this.get(path, id);
    if (!row) return undefined;
    Object.assign(row, change, { modified_date: this.clock.stamp() });
    return row;
  }

  private tombstone(contentType: number, objectId: number): void {
    this.insert('deleted-items', { object_id: String(objectId), deleted_date: this.clock.stamp(), content_type: contentType });
  }

  private remove(path: ResourcePath, id: number, contentType: number): boolean {
    const rows = this.tables.get(path)!;
    const i = lowerBound(rows, id);
    if (rows[i]?.id !== id) return false;
    rows.splice(i, 1);
    this.tombstone(contentType, id);
    return true;
  }

  /**
   * Runs `edits` as a transaction that commits late: what they write is dated `agoMs` in the past,
   * as a row whose transaction began before a sync read past that time and committed after it.
   */
  backdated<T>(agoMs: number, edits: () => T): T {
    this.clock.advance(-agoMs);
    try {
      return edits();
    } finally {
      this.clock.advance(agoMs);
    }
  }

  setPrice(priceId: number, price: number, retail?: number): RawRecord | undefined {
    return this.touch('catalogs/product-prices', priceId, { price: price.toFixed(2), ...(retail !== undefined ? { retail_price: retail.toFixed(2) } : {}) });
  }
  setImageStatus(imageId: number, status: 'active' | 'disabled'): RawRecord | undefined {
    return this.touch('products/product-images', imageId, { status });
  }
  renameCategory(nodeId: number, name: string): RawRecord | undefined {
    return this.touch('catalogs/category-nodes', nodeId, { name });
  }
  movePrettyUrl(urlId: number, newPath: string): RawRecord | undefined {
    return this.touch('pretty-urls', urlId, { new_path: newPath });
  }
  updateProduct(productId: number, change: Record<string, unknown>): RawRecord | undefined {
    return this.touch('products/products', productId, change);
  }
  addProduct(parentId?: number): RawRecord {
    const leafIds = this.rows('catalogs/category-nodes')
      .filter((n) => n.numchild === 0)
      .map((n) => n.id);
    const parent = parentId === undefined ? null : (this.get('products/products', parentId) ?? null);
    return this.createProduct({ leafIds, productType: '0', parent, stamp: this.clock.stamp() });
  }
  addProductPrice(productId: number, priceType = 'default', currency = 'try'): RawRecord {
    return this.addPrice(productId, priceType, currency, this.clock.stamp());
  }
  /** Deletes a product and, as Django's cascade does, its variants, prices and images. */
  deleteProduct(productId: number): boolean {
    for (const v of this.rows('products/products').filter((p) => p.parent === productId)) this.deleteProduct(v.id);
    for (const p of this.rows('catalogs/product-prices').filter((p) => p.product === productId)) this.remove('catalogs/product-prices', p.id, CT.price);
    for (const i of this.rows('products/product-images').filter((i) => i.product === productId)) this.remove('products/product-images', i.id, CT.image);
    return this.remove('products/products', productId, CT.product);
  }
  deletePrice(priceId: number): boolean {
    return this.remove('catalogs/product-prices', priceId, CT.price);
  }
  deleteImage(imageId: number): boolean {
    return this.remove('products/product-images', imageId, CT.image);
  }
  deletePrettyUrl(urlId: number): boolean {
    return this.remove('pretty-urls', urlId, CT.url);
  }
  /** Deletes a node and its subtree (treebeard does the same). */
  deleteCategory(nodeId: number): boolean {
    const node = this.get('catalogs/category-nodes', nodeId);
    if (!node) return false;
    const path = String(node.path);
    for (const n of this.rows('catalogs/category-nodes').filter((n) => String(n.path).startsWith(path) && n.id !== nodeId)) {
      this.remove('catalogs/category-nodes', n.id, CT.node);
    }
    return this.remove('catalogs/category-nodes', nodeId, CT.node);
  }
  /** Puts a record as-is (tests of invalid input). */
  putRaw(path: ResourcePath, record: RawRecord): void {
    this.insert(path, record, record.id);
  }

  /** Removes a record as-is, without a tombstone (tests: a row not yet committed). */
  removeRaw(path: ResourcePath, id: number): RawRecord | undefined {
    const rows = this.tables.get(path)!;
    const i = lowerBound(rows, id);
    return rows[i]?.id === id ? rows.splice(i, 1)[0] : undefined;
  }

  /** One random edit of the kinds a live catalog sees; returns what it did. */
  randomMutation(rng: Rng = this.rng): string {
    const pick = <T>(rows: readonly T[]) => (rows.length ? rng.pick(rows) : undefined);
    switch (rng.int(0, 9)) {
      case 0:
      case 1: {
        const p = pick(this.rows('catalogs/product-prices'));
        if (p) this.setPrice(p.id, rng.int(10, 4000) + 0.99, Number(p.retail_price));
        return `price ${p?.id}`;
      }
      case 2: {
        const i = pick(this.rows('products/product-images'));
        if (i) this.setImageStatus(i.id, i.status === 'active' ? 'disabled' : 'active');
        return `image ${i?.id}`;
      }
      case 3: {
        const n = pick(this.rows('catalogs/category-nodes'));
        if (n) this.renameCategory(n.id, `${String(n.name).replace(/ \(\d+\)$/, '')} (${rng.int(1, 99)})`);
        return `category ${n?.id}`;
      }
      case 4: {
        const u = pick(this.rows('pretty-urls'));
        if (u) this.movePrettyUrl(u.id, `${String(u.new_path).replace(/\/$/, '')}-${rng.int(1, 999)}/`);
        return `url ${u?.id}`;
      }
      case 5:
        return `new product ${this.addProduct().id}`;
      case 6: {
        const p = pick(this.rows('products/products'));
        if (p) this.deleteProduct(p.id);
        return `delete product ${p?.id}`;
      }
      case 7: {
        const parents = this.rows('products/products').filter((p) => p.parent === null);
        const parent = pick(parents);
        return parent ? `variant ${this.addProduct(parent.id).id} of ${parent.id}` : 'noop';
      }
      case 8: {
        const p = pick(this.rows('products/products'));
        if (p) this.updateProduct(p.id, { is_listable: !p.is_listable, name: `${String(p.name).replace(/ \*$/, '')} *` });
        return `product ${p?.id}`;
      }
      default: {
        const p = pick(this.rows('products/products'));
        if (p) this.addProductPrice(p.id, 'default', rng.pick(['try', 'eur']));
        return `new price for ${p?.id}`;
      }
    }
  }
}

function categoryOf(product: RawRecord): number[] {
  const v = (product.attributes as Record<string, unknown>).category_ids;
  const list = Array.isArray(v) ? v : String(v).split(',');
  return list.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** Index of the first row with id >= `id` in an id-sorted array. */
export function lowerBound(rows: readonly RawRecord[], id: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
