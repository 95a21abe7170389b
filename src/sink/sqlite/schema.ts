/*
 * The embedded index's tables, known once: names, the FTS5 columns a profile gives, the facet
 * table's rows, and the SQL helpers both the writer (`sink.ts`) and the searcher (`search.ts`) use.
 */
import type Database from 'better-sqlite3';
import { readMapping } from '../mappings';
import { allSearchFields, facetFields, sortableFields } from '../../profile/query';
export { facetValues } from '../values';
import { SinkError } from '../../errors';
import type { SinkDocument } from '../types';
import type { SearchProfile } from '../../profile/schema';

/** The tokenizer, versioned with the code in mappings/sqlite.json (its column weights are what the built-in profile gives). */
export const MAPPING = readMapping<{ fts: { tokenize: string; columns: Record<string, number> } }>('sqlite.json');

/** The FTS5 column of a searchable field: the historical short names of the built-in ones, else the field path with `_`. */
export function ftsColumn(field: string): string {
  return FTS_NAMES[field] ?? field.replace(/[^A-Za-z0-9]/g, '_');
}
const FTS_NAMES: Record<string, string> = { attribute_labels: 'labels', category_names: 'categories' };

/** The FTS5 columns and bm25 weights a profile gives: every searchable field, each locale's included. */
export function ftsColumns(profile: SearchProfile): { column: string; field: string; weight: number }[] {
  return allSearchFields(profile).map(({ field, weight }) => ({ column: ftsColumn(field), field, weight }));
}

/** The fields whose values the facet table of a new index holds: categories, facets and the sortable fields (price has its own column). */
export function facetTableFields(profile: SearchProfile): string[] {
  return [...new Set(['category_ids', ...facetFields(profile), ...sortableFields(profile).filter((f) => f !== 'price')])];
}

/** The tables of one (physical or public) index. */
export function tablesOf(name: string): { docs: string; fts: string; facets: string } {
  return { docs: name, fts: `${name}__fts`, facets: `${name}__facets` };
}

/**
 * The facet table's indexes. `_sort` (field, document, number) answers "the sort key of this
 * document" from the index alone: without it SQLite looked each document's key up through the
 * primary key (field, value, document), a walk over every value of the field per document, which
 * made a numeric sort quadratic (37 s at 20k products).
 */
export function facetIndexesSql(name: string): string {
  const f = quote(tablesOf(name).facets);
  return `
    CREATE INDEX IF NOT EXISTS ${quote(`${name}__facets_doc`)} ON ${f}(num_id, field, value);
    CREATE INDEX IF NOT EXISTS ${quote(`${name}__facets_num`)} ON ${f}(field, num) WHERE num IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ${quote(`${name}__facets_sort`)} ON ${f}(field, num_id, num);
  `;
}

/**
 * The documents table's own indexes beside the id: `_listed` answers a storefront listing's filters
 * (active, listed on its own, priced) from the index alone, without reading a document.
 */
export function docIndexesSql(name: string): string {
  return `CREATE INDEX IF NOT EXISTS ${quote(`${name}_listed`)} ON ${quote(name)}(is_active, is_listable, price, num_id);`;
}

/** Whether a documents table has a column (a table built by an earlier version may lack one). */
export function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column) !== undefined;
}

export function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * A facet value of `json_each` row `j` as Elasticsearch's flattened type counts it: the text of a
 * scalar, true/false for booleans, each element of a list.
 */
export const FACET_VALUE = `CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.value AS TEXT) END`;

/** A SQLite JSON path for a dotted field path, every key quoted (`attributes.size` → `$."attributes"."size"`). */
export function jsonPath(field: string): string {
  return `$${field
    .split('.')
    .map((k) => `."${k.replace(/"/g, '\\"')}"`)
    .join('')}`;
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** A string literal in SQL. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A document as the embedded index stores it (the `doc` column), read back: the one place its JSON
 * is parsed. What this sink wrote is a JSON object with an `id`; anything else is a damaged file.
 */
export function storedDocument(text: string): SinkDocument {
  const doc: unknown = JSON.parse(text);
  const id = (doc as { id?: unknown } | null)?.id;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || (typeof id !== 'string' && typeof id !== 'number')) {
    throw new SinkError('the embedded index holds a document that is not an object with an id (was the file edited by hand?)');
  }
  return doc as SinkDocument;
}
