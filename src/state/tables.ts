import type { ResourceName } from '../source/resources';

/**
 * One table per resource: id, canonical modified instant, the crawl that last saw the row
 * (`seen`, for the rebuild's mark-and-sweep), the row as JSON, and the join columns the affected-set
 * queries need, indexed.
 */
export interface TableSpec {
  table: ResourceName;
  joins: { column: string; type: 'INTEGER' | 'TEXT'; of(row: Record<string, unknown>): unknown }[];
}

const col = (column: string, type: 'INTEGER' | 'TEXT' = 'INTEGER'): TableSpec['joins'][number] => ({
  column,
  type,
  of: (row) => row[column] ?? null,
});

export const TABLES: Record<ResourceName, TableSpec> = {
  products: { table: 'products', joins: [col('parent'), col('pretty_url')] },
  product_prices: { table: 'product_prices', joins: [col('product')] },
  product_images: { table: 'product_images', joins: [col('product')] },
  category_nodes: { table: 'category_nodes', joins: [col('path', 'TEXT'), col('pretty_url')] },
  pretty_urls: { table: 'pretty_urls', joins: [col('parent')] },
  category_links: { table: 'category_links', joins: [col('product'), col('category')] },
};

export function schemaSql(): string {
  const rowTables = Object.values(TABLES)
    .map((spec) => {
      const joinCols = spec.joins.map((j) => `, ${j.column} ${j.type}`).join('');
      const indexes = spec.joins.map((j) => `CREATE INDEX IF NOT EXISTS ${spec.table}_${j.column} ON ${spec.table}(${j.column});`).join('\n');
      return `CREATE TABLE IF NOT EXISTS ${spec.table} (id INTEGER PRIMARY KEY, modified TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL${joinCols});\n${indexes}`;
    })
    .join('\n');
  return `
${rowTables}
CREATE TABLE IF NOT EXISTS product_categories (source_id INTEGER NOT NULL, product INTEGER NOT NULL, category INTEGER NOT NULL, PRIMARY KEY (source_id, product, category)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS product_categories_product ON product_categories(product);
CREATE INDEX IF NOT EXISTS product_categories_category ON product_categories(category);
CREATE TABLE IF NOT EXISTS content_types (id INTEGER PRIMARY KEY, app_label TEXT NOT NULL, model TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc_hashes (gen INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (gen, kind, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (gen INTEGER NOT NULL, kind TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (gen, kind, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT NOT NULL, summary TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS quarantine (resource TEXT NOT NULL, record_key TEXT NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (resource, record_key));
CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, expires_at INTEGER NOT NULL, started TEXT);
`;
}
