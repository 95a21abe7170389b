import { canonicalInstant } from '../source/instant';
import type { ResourceName } from '../source/resources';
import type { CategoryNode, ContentType, PrettyUrl, Product, ProductImage, ProductPrice } from '../source/schemas';
import type { StoreDb } from './db';
import { TABLES } from './tables';

export interface StoredRow {
  id: number;
  modified_date: string;
  [key: string]: unknown;
}

/**
 * Per resource, the one "newer wins" write: insert, or replace a version no newer (an older version
 * changes nothing: 0 changes). `seen` 0 (not a crawl) keeps the crawl mark the row had.
 */
const UPSERT = Object.fromEntries(
  Object.entries(TABLES).map(([resource, spec]) => {
    const cols = spec.joins.map((j) => j.column);
    return [
      resource,
      `INSERT INTO ${spec.table} (id, modified, seen, data${cols.map((c) => `, ${c}`).join('')}) VALUES (?, ?, ?, ?${cols.map(() => ', ?').join('')})
       ON CONFLICT (id) DO UPDATE SET seen = CASE excluded.seen WHEN 0 THEN ${spec.table}.seen ELSE excluded.seen END,
         ${['modified', 'data', ...cols].map((c) => `${c} = excluded.${c}`).join(', ')}
       WHERE excluded.modified >= ${spec.table}.modified`,
    ];
  }),
) as Record<ResourceName, string>;

/**
 * The source's rows as received, one table per resource (newer wins), with the crawl marks of the
 * rebuild's sweep, the joins the document builder reads, and the content types.
 */
export class Rows {
  constructor(private readonly db: StoreDb) {}

  /**
   * Stores a row unless the store already holds a newer version of it (a stale read from a lagging
   * replica must not win). Returns the previous row (null if new) and whether this one was applied.
   */
  upsertRow(resource: ResourceName, row: StoredRow, seen = 0): { old: StoredRow | null; applied: boolean } {
    const data = JSON.stringify(row);
    const prev = this.db.stmt(`SELECT data FROM ${TABLES[resource].table} WHERE id = ?`).get(row.id) as { data: string } | undefined;
    // A row read again as it is stored (a sync's overlap re-reads the last seconds) changes nothing.
    if (prev?.data === data) {
      this.markSeen(resource, row.id, seen);
      return { old: null, applied: false };
    }
    return { old: prev ? (JSON.parse(prev.data) as StoredRow) : null, applied: this.upsert(resource, row, seen, data) };
  }

  /**
   * The crawl's path: the same upsert without reading the previous row (a first crawl needs no
   * affected set). Returns whether this version was applied.
   */
  upsertRowBlind(resource: ResourceName, row: StoredRow, seen: number): boolean {
    return this.upsert(resource, row, seen);
  }

  /**
   * The crawl's path while a live index exists: returns what the live documents must hear of. A row
   * stored unchanged (or older than the stored one) returns `changed: false` and is only marked
   * seen; a new or different one returns its previous version (null when new).
   */
  upsertRowTracked(resource: ResourceName, row: StoredRow, seen: number): { changed: boolean; old: StoredRow | null } {
    const data = JSON.stringify(row);
    const prev = this.db.stmt(`SELECT data FROM ${TABLES[resource].table} WHERE id = ?`).get(row.id) as { data: string } | undefined;
    if (prev?.data === data) {
      this.markSeen(resource, row.id, seen);
      return { changed: false, old: null };
    }
    if (!this.upsert(resource, row, seen, data)) return { changed: false, old: null };
    return { changed: true, old: prev ? (JSON.parse(prev.data) as StoredRow) : null };
  }

  /** The one "newer wins" write (UPSERT). A version not applied is still marked as seen by a crawl. */
  private upsert(resource: ResourceName, row: StoredRow, seen: number, data = JSON.stringify(row)): boolean {
    const args: unknown[] = [row.id, canonicalInstant(row.modified_date) ?? '', seen, data];
    for (const j of TABLES[resource].joins) args.push(j.of(row));
    if (this.db.stmt(UPSERT[resource]).run(args).changes > 0) return true;
    this.markSeen(resource, row.id, seen);
    return false;
  }

  /** Marks a row as met by crawl `seen` (a row whose new version was refused keeps its last good one). */
  markSeen(resource: ResourceName, id: number, seen: number): void {
    if (seen) this.db.stmt(`UPDATE ${TABLES[resource].table} SET seen = ? WHERE id = ?`).run(seen, id);
  }

  /**
   * Removes a row for a tombstone dated `deletedAt`, unless the stored row is newer than the
   * tombstone (the id was re-created after the delete). Returns the removed row.
   */
  deleteRow(resource: ResourceName, id: number, deletedAt?: string): StoredRow | null {
    const spec = TABLES[resource];
    const prev = this.db.stmt(`SELECT modified, data FROM ${spec.table} WHERE id = ?`).get(id) as { modified: string; data: string } | undefined;
    if (!prev) return null;
    const at = deletedAt ? canonicalInstant(deletedAt) : null;
    if (at && prev.modified > at) return null;
    this.db.stmt(`DELETE FROM ${spec.table} WHERE id = ?`).run(id);
    return JSON.parse(prev.data) as StoredRow;
  }

  /**
   * Rows a full crawl `seen` did not meet and that were not modified since it began (`before`):
   * deleted at the source. Removed; the removed rows are returned. Rows modified after the crawl
   * began are left to the catch-up pass and its tombstones.
   */
  sweepUnseen(resource: ResourceName, seen: number, before: string): StoredRow[] {
    const table = TABLES[resource].table;
    const rows = (this.db.stmt(`SELECT data FROM ${table} WHERE seen != ? AND modified < ?`).all(seen, before) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as StoredRow,
    );
    this.db.stmt(`DELETE FROM ${table} WHERE seen != ? AND modified < ?`).run(seen, before);
    return rows;
  }

  /** How many rows `sweepUnseen` would remove now. */
  countUnseen(resource: ResourceName, seen: number, before: string): number {
    return (this.db.stmt(`SELECT count(*) AS n FROM ${TABLES[resource].table} WHERE seen != ? AND modified < ?`).get(seen, before) as { n: number }).n;
  }

  getRow<T = StoredRow>(resource: ResourceName, id: number): T | null {
    const r = this.db.stmt(`SELECT data FROM ${TABLES[resource].table} WHERE id = ?`).get(id) as { data: string } | undefined;
    return r ? (JSON.parse(r.data) as T) : null;
  }

  rowsWhere<T>(resource: ResourceName, column: string, values: readonly (number | string)[]): T[] {
    if (values.length === 0) return [];
    const table = TABLES[resource].table;
    return (
      this.db.stmt(`SELECT data FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(values)) as {
        data: string;
      }[]
    ).map((r) => JSON.parse(r.data) as T);
  }

  idsWhere(resource: ResourceName, column: string, values: readonly (number | string)[]): number[] {
    if (values.length === 0) return [];
    const table = TABLES[resource].table;
    return (this.db.stmt(`SELECT id FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`).all(JSON.stringify(values)) as { id: number }[]).map(
      (r) => r.id,
    );
  }

  allRows<T>(resource: ResourceName): T[] {
    return (this.db.stmt(`SELECT data FROM ${TABLES[resource].table} ORDER BY id`).all() as { data: string }[]).map((r) => JSON.parse(r.data) as T);
  }

  /** Rows the crawl `seen` met (stored or already newer). */
  countSeen(resource: ResourceName, seen: number): number {
    return (this.db.stmt(`SELECT count(*) AS n FROM ${TABLES[resource].table} WHERE seen = ?`).get(seen) as { n: number }).n;
  }

  countRows(resource: ResourceName): number {
    return (this.db.stmt(`SELECT count(*) AS n FROM ${TABLES[resource].table}`).get() as { n: number }).n;
  }

  /** The distinct origins (`https://cdn.example.com`) of up to `sample` staged image URLs. */
  imageOrigins(sample = 200): string[] {
    const rows = this.db.stmt("SELECT json_extract(data, '$.image') AS url FROM product_images LIMIT ?").all(sample) as { url: unknown }[];
    const origins = new Set<string>();
    for (const { url } of rows) {
      if (typeof url !== 'string' || !URL.canParse(url)) continue;
      const u = new URL(url);
      if (u.protocol === 'https:' || u.protocol === 'http:') origins.add(u.origin);
    }
    return [...origins];
  }

  /** Product ids in ascending order after `afterId`, a page at a time (rebuild streams these). */
  productIdsAfter(afterId: number, limit: number): number[] {
    return (this.db.stmt('SELECT id FROM products WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as { id: number }[]).map((r) => r.id);
  }

  products(ids: readonly number[]): Product[] {
    return this.rowsWhere<Product>('products', 'id', ids);
  }
  variantsOf(parentIds: readonly number[]): Product[] {
    return this.rowsWhere<Product>('products', 'parent', parentIds);
  }
  pricesOf(productIds: readonly number[]): ProductPrice[] {
    return this.rowsWhere<ProductPrice>('product_prices', 'product', productIds);
  }
  imagesOf(productIds: readonly number[]): ProductImage[] {
    return this.rowsWhere<ProductImage>('product_images', 'product', productIds);
  }
  prettyUrls(ids: readonly number[]): PrettyUrl[] {
    return this.rowsWhere<PrettyUrl>('pretty_urls', 'id', ids);
  }
  urlTranslations(parentIds: readonly number[]): PrettyUrl[] {
    return this.rowsWhere<PrettyUrl>('pretty_urls', 'parent', parentIds);
  }
  categoryNodes(): CategoryNode[] {
    return this.allRows<CategoryNode>('category_nodes');
  }
  /** Pretty URLs that category nodes point to, and their translations. */
  categoryUrls(): PrettyUrl[] {
    return (
      this.db
        .stmt(
          `SELECT data FROM pretty_urls WHERE id IN (SELECT pretty_url FROM category_nodes WHERE pretty_url IS NOT NULL)
           OR parent IN (SELECT pretty_url FROM category_nodes WHERE pretty_url IS NOT NULL) ORDER BY id`,
        )
        .all() as { data: string }[]
    ).map((r) => JSON.parse(r.data) as PrettyUrl);
  }

  /** Node ids whose path starts with `prefix` (the node itself and its descendants). */
  nodesUnder(prefix: string): number[] {
    return (this.db.stmt('SELECT id FROM category_nodes WHERE substr(path, 1, length(?)) = ?').all(prefix, prefix) as { id: number }[]).map((r) => r.id);
  }

  replaceContentTypes(types: readonly ContentType[]): void {
    this.db.tx(() => {
      this.db.stmt('DELETE FROM content_types').run();
      const ins = this.db.stmt('INSERT INTO content_types (id, app_label, model) VALUES (?, ?, ?)');
      for (const t of types) ins.run(t.id, t.app_label, t.model);
    });
  }
  contentTypes(): ContentType[] {
    return this.db.stmt('SELECT id, app_label, model FROM content_types ORDER BY id').all() as ContentType[];
  }
}
