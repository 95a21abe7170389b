import type { StoreDb } from './db';

/** Product → category links, each kept by the source that contributed it (a product's attribute, or one link row). */
export class Links {
  constructor(private readonly db: StoreDb) {}

  /** Replaces the links contributed by one source (a product's attribute, or one link row). */
  set(sourceId: number, product: number, categories: readonly number[]): void {
    this.db.stmt('DELETE FROM product_categories WHERE source_id = ?').run(sourceId);
    const ins = this.db.stmt('INSERT OR IGNORE INTO product_categories (source_id, product, category) VALUES (?, ?, ?)');
    for (const c of categories) ins.run(sourceId, product, c);
  }
  /** Forgets every link (the link source changed: CATEGORY_LINK switched between attribute and endpoint). */
  clearAll(): void {
    this.db.stmt('DELETE FROM product_categories').run();
  }
  clear(sourceId: number): void {
    this.db.stmt('DELETE FROM product_categories WHERE source_id = ?').run(sourceId);
  }
  of(productIds: readonly number[]): Map<number, number[]> {
    const out = new Map<number, number[]>();
    if (productIds.length === 0) return out;
    const rows = this.db
      .stmt('SELECT product, category FROM product_categories WHERE product IN (SELECT value FROM json_each(?)) ORDER BY category')
      .all(JSON.stringify(productIds)) as { product: number; category: number }[];
    for (const r of rows) {
      const list = out.get(r.product) ?? [];
      if (list[list.length - 1] !== r.category) list.push(r.category);
      out.set(r.product, list);
    }
    return out;
  }
  productsLinkedTo(categoryIds: readonly number[]): number[] {
    if (categoryIds.length === 0) return [];
    return (
      this.db.stmt('SELECT DISTINCT product FROM product_categories WHERE category IN (SELECT value FROM json_each(?))').all(JSON.stringify(categoryIds)) as {
        product: number;
      }[]
    ).map((r) => r.product);
  }
}
