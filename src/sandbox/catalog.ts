import { RecordMaker } from './generate';
import { Rng } from './random';
import { CT, SandboxClock, Tables, type ModifiedBound, type RawRecord, type ResourcePath } from './tables';

/*
 * The sandbox catalog: generated once from a seed, then edited as a live catalog is (tests, the live
 * demo). Every edit dates what it writes by the clock, and a delete leaves a tombstone.
 */

export interface CatalogOptions {
  products: number;
  seed: number;
}

export class Catalog {
  readonly clock = new SandboxClock();
  private readonly tables = new Tables();
  private readonly rng: Rng;
  private readonly make: RecordMaker;

  constructor(readonly options: CatalogOptions) {
    this.rng = new Rng(options.seed);
    this.make = new RecordMaker(this.tables, this.rng);
    this.make.generate(options.products);
  }

  /** Rows of a resource, ascending by id. Do not mutate: use the methods below. */
  rows(path: ResourcePath): readonly RawRecord[] {
    return this.tables.rows(path);
  }

  get(path: ResourcePath, id: number): RawRecord | undefined {
    return this.tables.get(path, id);
  }

  /** Rows of a resource whose `modified_date` meets every bound (a window read). */
  modifiedWithin(path: ResourcePath, bounds: readonly ModifiedBound[]): RawRecord[] {
    return this.tables.modifiedWithin(path, bounds);
  }

  /** Changes a row, dated now (or at the `modified_date` the change names: tests of an exact instant). */
  private touch(path: ResourcePath, id: number, change: Record<string, unknown>): RawRecord | undefined {
    return this.tables.update(path, id, { modified_date: this.clock.stamp(), ...change });
  }

  private tombstone(contentType: number, objectId: number): void {
    this.tables.insert('deleted-items', { object_id: String(objectId), deleted_date: this.clock.stamp(), content_type: contentType });
  }

  private remove(path: ResourcePath, id: number, contentType: number): boolean {
    if (!this.tables.delete(path, id)) return false;
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
    return this.make.createProduct({ leafIds, productType: '0', parent, stamp: this.clock.stamp() });
  }
  addProductPrice(productId: number, priceType = 'default', currency = 'try'): RawRecord {
    return this.make.addPrice(productId, priceType, currency, this.clock.stamp());
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
    this.tables.insert(path, record, record.id);
  }

  /** Removes a record as-is, without a tombstone (tests: a row not yet committed). */
  removeRaw(path: ResourcePath, id: number): RawRecord | undefined {
    return this.tables.delete(path, id);
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
