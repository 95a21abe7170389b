import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openWalDatabase } from '../platform/sqlite';
import {
  live,
  comparisons,
  facetPlan,
  filtersOf,
  sortOf,
  type IndexKind,
  type Rejection,
  type SearchQuery,
  type SearchResult,
  type EngineSink,
  type IndexStamp,
  type SinkDocument,
  type Target,
} from './types';
import { fieldText, ftsAnyOf } from './text';
import { readMapping } from './mappings';
import { allSearchFields, facetField, facetFields, fieldType, queryVariants, searchFields, sortableFields } from '../profile/query';
import type { SearchProfile } from '../profile/schema';

/** The tokenizer, versioned with the code in mappings/sqlite.json (its column weights are what the built-in profile gives). */
const MAPPING = readMapping<{ fts: { tokenize: string; columns: Record<string, number> } }>('sqlite.json');

/** The FTS5 column of a searchable field: the historical short names of the built-in ones, else the field path with `_`. */
export function ftsColumn(field: string): string {
  return FTS_NAMES[field] ?? field.replace(/[^A-Za-z0-9]/g, '_');
}
const FTS_NAMES: Record<string, string> = { attribute_labels: 'labels', category_names: 'categories' };

/** The FTS5 columns and bm25 weights a profile gives: every searchable field, each locale's included. */
export function ftsColumns(profile: SearchProfile): { column: string; field: string; weight: number }[] {
  return allSearchFields(profile).map(({ field, weight }) => ({ column: ftsColumn(field), field, weight }));
}

/**
 * The embedded sink: one SQLite file, a table of documents plus an FTS5 index per physical index.
 * Public names are plain tables (`products`, `products__fts`, ...) so any SQLite reader can query
 * them; a rebuild fills `<name>__g<gen>` and renames it into place in one transaction. In WAL mode
 * a reader keeps the snapshot it started with, so it sees the old index or the new, never half.
 */
export class SqliteSink implements EngineSink {
  readonly engine = 'sqlite';
  private readonly db: Database.Database;

  private readonly columns: { column: string; field: string; weight: number }[];
  /** The fields whose values the facet table of a new index holds (see `facetTable`). */
  private readonly facetTableFields: string[];
  /**
   * Recent search results, valid until the index changes: a storefront asks the same listing pages
   * again and again, and counting facets over tens of thousands of matches is the costly part.
   * Cleared by every write of this connection and when another connection has committed
   * (`PRAGMA data_version`).
   */
  private readonly results = new Map<string, SearchResult>();
  private dataVersion = -1;
  /** Per physical table, the fields its facet table holds (read from its marker rows). */
  private readonly indexedFields = new Map<string, Set<string>>();

  constructor(
    file: string,
    readonly indexName: string,
    private readonly profile: SearchProfile,
  ) {
    this.columns = ftsColumns(profile);
    this.facetTableFields = [...new Set(['category_ids', ...facetFields(profile), ...sortableFields(profile).filter((f) => f !== 'price')])];
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = openWalDatabase(file);
    this.db.pragma('synchronous = NORMAL');
    // The matches of a search, collected once per search and counted by each facet (this connection only).
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS feeder_matches (num_id INTEGER PRIMARY KEY)');
  }

  async has(target: Target): Promise<boolean> {
    return this.tableExists(target.name);
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const target = { kind, name: `${live(this, kind).name}__g${gen}` };
    this.dropTables(target.name);
    const t = quote(target.name);
    this.db.exec(`
      CREATE TABLE ${t} (id TEXT PRIMARY KEY, num_id INTEGER NOT NULL, name TEXT, price REAL, is_active INTEGER, doc TEXT NOT NULL);
      CREATE INDEX ${quote(`${target.name}_num_id`)} ON ${t}(num_id, price);
      CREATE INDEX ${quote(`${target.name}_price_asc`)} ON ${t}(price IS NULL, price, num_id);
      CREATE INDEX ${quote(`${target.name}_price_desc`)} ON ${t}(price IS NULL, price DESC, num_id);
      CREATE VIRTUAL TABLE ${quote(`${target.name}__fts`)} USING fts5(${this.columns.map((c) => quote(c.column)).join(', ')}, tokenize = '${MAPPING.fts.tokenize}');
    `);
    this.createFacetTable(target.name);
    return target;
  }

  /**
   * The facet table of an index: one row per (field, value, document) for the facet, filter and
   * sort fields, so counting a facet over the matches, filtering on a value and sorting read an
   * index instead of every matching document's JSON. A marker row (document 0) per field says which
   * fields it holds: an index built with an earlier profile is searched with what it has.
   */
  private createFacetTable(name: string): void {
    const f = quote(`${name}__facets`);
    this.db.exec(`
      CREATE TABLE ${f} (field TEXT NOT NULL, value TEXT NOT NULL, num_id INTEGER NOT NULL, num REAL, PRIMARY KEY (field, value, num_id)) WITHOUT ROWID;
      CREATE INDEX ${quote(`${name}__facets_doc`)} ON ${f}(num_id, field, value);
      CREATE INDEX ${quote(`${name}__facets_num`)} ON ${f}(field, num) WHERE num IS NOT NULL;
    `);
    const mark = this.db.prepare(`INSERT INTO ${f} (field, value, num_id) VALUES (?, '', 0)`);
    for (const field of this.facetTableFields) mark.run(field);
    this.indexedFields.delete(name);
  }

  /** The facet table of an index built before facet tables existed, filled from its documents once. */
  private ensureFacetTable(name: string): void {
    if (this.tableExists(`${name}__facets`)) return;
    this.db
      .transaction(() => {
        this.createFacetTable(name);
        const insert = this.facetInsert(name);
        for (const row of this.db.prepare(`SELECT num_id, doc FROM ${quote(name)}`).iterate() as IterableIterator<{ num_id: number; doc: string }>) {
          insert(row.num_id, JSON.parse(row.doc) as SinkDocument);
        }
      })
      .immediate();
  }

  /** Writes a document's rows into an index's facet table (replacing what it had). */
  private facetInsert(name: string): (num: number, doc: SinkDocument) => void {
    const f = quote(`${name}__facets`);
    const clear = this.db.prepare(`DELETE FROM ${f} WHERE num_id = ?`);
    const insert = this.db.prepare(`INSERT OR IGNORE INTO ${f} (field, value, num_id, num) VALUES (?, ?, ?, ?)`);
    return (num, doc) => {
      clear.run(num);
      for (const field of this.facetTableFields) for (const v of facetValues(doc, field)) insert.run(field, v.value, num, v.num);
    };
  }

  /** Whether a table has the price indexes of this version (an index built earlier has not, until its next rebuild). */
  private hasPriceIndex(name: string): boolean {
    const indexes = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").all(name) as { name: string }[];
    return indexes.some((x) => x.name.endsWith('_price_asc'));
  }

  /** The fields an index's facet table holds. */
  private indexed(name: string): Set<string> {
    let fields = this.indexedFields.get(name);
    if (!fields) {
      const rows = this.db.prepare(`SELECT field FROM ${quote(`${name}__facets`)} WHERE num_id = 0`).all() as { field: string }[];
      fields = new Set(rows.map((r) => r.field));
      this.indexedFields.set(name, fields);
    }
    return fields;
  }

  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    this.results.clear(); // this connection's own writes do not change data_version
    const rejected: Rejection[] = [];
    const t = quote(target.name);
    const f = quote(`${target.name}__fts`);
    const upsert = this.db.prepare(`INSERT OR REPLACE INTO ${t} (id, num_id, doc, name, price, is_active) VALUES (?, ?, ?, ?, ?, ?)`);
    const unindex = this.db.prepare(`DELETE FROM ${f} WHERE rowid = ?`);
    const index = this.db.prepare(
      `INSERT INTO ${f} (rowid, ${this.columns.map((c) => quote(c.column)).join(', ')}) VALUES (?${', ?'.repeat(this.columns.length)})`,
    );
    this.ensureFacetTable(target.name);
    const facets = this.facetInsert(target.name);
    this.db.transaction(() => {
      for (const doc of docs) {
        const id = String(doc.id);
        if (!/^\d{1,15}$/.test(id)) {
          rejected.push({ id, reason: 'id must be a positive integer (the FTS rowid)' });
          continue;
        }
        const num = Number(id);
        const price = typeof doc.price === 'number' ? doc.price : null;
        const active = typeof doc.is_active === 'boolean' ? Number(doc.is_active) : null;
        upsert.run(id, num, JSON.stringify(doc), typeof doc.name === 'string' ? doc.name : null, price, active);
        unindex.run(num);
        index.run(num, ...this.columns.map((c) => fieldText(doc, c.field)));
        facets(num, doc);
      }
    })();
    return rejected;
  }

  async delete(target: Target, ids: readonly string[]): Promise<void> {
    this.results.clear(); // this connection's own writes do not change data_version
    const del = this.db.prepare(`DELETE FROM ${quote(target.name)} WHERE id = ?`);
    const unindex = this.db.prepare(`DELETE FROM ${quote(`${target.name}__fts`)} WHERE rowid = ?`);
    this.ensureFacetTable(target.name);
    const unfacet = this.db.prepare(`DELETE FROM ${quote(`${target.name}__facets`)} WHERE num_id = ?`);
    this.db.transaction(() => {
      for (const id of ids) {
        del.run(id);
        if (/^\d+$/.test(id) && id !== '0') {
          unindex.run(Number(id));
          unfacet.run(Number(id));
        }
      }
    })();
  }

  async swap(target: Target, stamp: IndexStamp): Promise<void> {
    this.results.clear(); // this connection's own writes do not change data_version
    const pub = live(this, target.kind).name;
    const retired = `${pub}__retired`;
    this.db
      .transaction(() => {
        this.dropTables(retired);
        if (this.tableExists(pub)) this.renameTables(pub, retired);
        this.renameTables(target.name, pub);
        this.dropTables(retired);
        this.ensureOriginTable();
        this.db.prepare('INSERT OR REPLACE INTO _feeder_origin (name, source, profile) VALUES (?, ?, ?)').run(pub, stamp.source, stamp.profile);
      })
      .immediate();
  }

  async stamp(kind: IndexKind): Promise<IndexStamp | null> {
    if (!this.tableExists(live(this, kind).name) || !this.tableExists('_feeder_origin')) return null;
    // Read-only: a file from before profiles has no `profile` column (its index was built with the built-in profile).
    const profile = this.originColumns().includes('profile') ? 'profile' : 'NULL AS profile';
    const row = this.db.prepare(`SELECT source, ${profile} FROM _feeder_origin WHERE name = ?`).get(live(this, kind).name) as IndexStamp | undefined;
    return row ? { source: row.source, profile: row.profile ?? null } : null;
  }

  private originColumns(): string[] {
    return (this.db.prepare(`SELECT name FROM pragma_table_info('_feeder_origin')`).all() as { name: string }[]).map((c) => c.name);
  }

  /** The table of stamps; a file from before profiles gains its `profile` column. */
  private ensureOriginTable(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS _feeder_origin (name TEXT PRIMARY KEY, source TEXT NOT NULL, profile TEXT)');
    if (!this.originColumns().includes('profile')) this.db.exec('ALTER TABLE _feeder_origin ADD COLUMN profile TEXT');
  }

  async drop(target: Target): Promise<void> {
    this.results.clear(); // this connection's own writes do not change data_version
    this.dropTables(target.name);
  }

  async count(target: Target): Promise<number> {
    if (!this.tableExists(target.name)) return 0;
    return (this.db.prepare(`SELECT count(*) AS n FROM ${quote(target.name)}`).get() as { n: number }).n;
  }

  async get(target: Target, ids: readonly string[]): Promise<Map<string, SinkDocument>> {
    const out = new Map<string, SinkDocument>();
    if (ids.length === 0 || !this.tableExists(target.name)) return out;
    const rows = this.db.prepare(`SELECT id, doc FROM ${quote(target.name)} WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as {
      id: string;
      doc: string;
    }[];
    for (const r of rows) out.set(r.id, JSON.parse(r.doc) as SinkDocument);
    return out;
  }

  async *scan(target: Target, pageSize = 1000): AsyncIterable<SinkDocument[]> {
    if (!this.tableExists(target.name)) return;
    const page = this.db.prepare(`SELECT num_id, doc FROM ${quote(target.name)} WHERE num_id > ? ORDER BY num_id LIMIT ?`);
    let after = -1;
    for (;;) {
      const rows = page.all(after, pageSize) as { num_id: number; doc: string }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].num_id;
      yield rows.map((r) => JSON.parse(r.doc) as SinkDocument);
    }
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version !== this.dataVersion) {
      this.results.clear();
      this.dataVersion = version;
    }
    const key = JSON.stringify(q);
    const cached = this.results.get(key);
    if (cached) {
      // Most recently used last: the oldest entry is the first to go.
      this.results.delete(key);
      this.results.set(key, cached);
      return cached;
    }
    const result = this.query(q);
    this.results.set(key, result);
    if (this.results.size > RESULT_CACHE_ENTRIES) this.results.delete(this.results.keys().next().value!);
    return result;
  }

  private query(q: SearchQuery): SearchResult {
    const name = live(this, 'products').name;
    if (!this.tableExists(name)) return { total: 0, hits: [] };
    this.ensureFacetTable(name);
    const indexed = this.indexed(name);
    const t = quote(name);
    const f = quote(`${name}__fts`);
    const facetTable = quote(`${name}__facets`);
    const where: string[] = [];
    const params: unknown[] = [];
    let from = `${t} t`;
    let relevance = 't.num_id';
    if (q.text && q.text.trim()) {
      const any = ftsAnyOf(queryVariants(this.profile, q.text));
      if (!any) return { total: 0, hits: [] };
      // The live table's own columns (an index built with an earlier profile keeps its own): the
      // searched ones filter the match, and every column gets its weight, by position, for bm25.
      const present = (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(`${name}__fts`) as { name: string }[]).map((r) => r.name);
      const wanted = new Map(searchFields(this.profile, q.locale).map((s) => [ftsColumn(s.field), s.weight]));
      const searched = present.filter((c) => wanted.has(c));
      if (searched.length === 0) return { total: 0, hits: [] };
      from = `${f} JOIN ${t} t ON t.num_id = ${f}.rowid`;
      where.push(`${f} MATCH ?`);
      params.push(searched.length === present.length ? any : `{${searched.map((c) => `"${c}"`).join(' ')}} : (${any})`);
      relevance = `bm25(${f}, ${present.map((c) => (wanted.get(c) ?? 1).toFixed(1)).join(', ')}), t.num_id`;
    }
    if (q.isActive !== undefined) {
      where.push('t.is_active = ?');
      params.push(Number(q.isActive));
    }
    const filters = filtersOf(q);
    for (const [facet, values] of filters.values) {
      const field = facetField(this.profile, facet);
      // Through the facet table when it holds the field, else each document's JSON.
      where.push(
        indexed.has(field)
          ? `t.num_id IN (SELECT num_id FROM ${facetTable} WHERE field = ? AND value IN (SELECT value FROM json_each(?)))`
          : `EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE ${FACET_VALUE} IN (SELECT value FROM json_each(?)))`,
      );
      params.push(indexed.has(field) ? field : jsonPath(field), JSON.stringify(values));
    }
    for (const [facet, bounds] of filters.ranges) {
      const field = facetField(this.profile, facet);
      const ops = comparisons(bounds);
      if (field === 'price') {
        where.push(...ops.map((c) => `t.price ${c.op} ?`));
        params.push(...ops.map((c) => c.value));
      } else if (indexed.has(field)) {
        where.push(`t.num_id IN (SELECT num_id FROM ${facetTable} WHERE field = ? AND num IS NOT NULL${ops.map((c) => ` AND num ${c.op} ?`).join('')})`);
        params.push(field, ...ops.map((c) => c.value));
      } else {
        where.push(`EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real')${ops.map((c) => ` AND j.value ${c.op} ?`).join('')})`);
        params.push(jsonPath(field), ...ops.map((c) => c.value));
      }
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sort = sortOf(q.sort);
    const key = !sort
      ? ''
      : sort.field === 'price'
        ? 't.price'
        : indexed.has(sort.field)
          ? `(SELECT ${sortValue(sort.field, this.profile, sort.desc)} FROM ${facetTable} s WHERE s.num_id = t.num_id AND s.field = '${sort.field.replace(/'/g, "''")}')`
          : `json_extract(t.doc, '${jsonPath(sort.field).replace(/'/g, "''")}')`;
    const order = sort ? `${key} IS NULL, ${key}${sort.desc ? ' DESC' : ''}, t.num_id` : relevance;
    const limit = q.limit ?? 10;
    const kinds = facetPlan(q, this.profile);
    // One read transaction: the count, the hits and the facets come from the same snapshot. The
    // matches are collected once (a temporary table) and every facet is counted over them, the
    // matches first (CROSS JOIN fixes that order: SQLite has no statistics of a temporary table and
    // would otherwise walk a facet's every row, 50 ms at 100k products, for three matches).
    return this.db.transaction(() => {
      const everything = where.length === 0;
      if (!everything) {
        this.db.exec('DELETE FROM temp.feeder_matches');
        this.db.prepare(`INSERT INTO temp.feeder_matches (num_id) SELECT t.num_id FROM ${from} ${whereSql}`).run(...params);
      }
      const matches = everything ? `${t} m` : 'temp.feeder_matches m';
      const total = (this.db.prepare(`SELECT count(*) AS n FROM ${matches}`).get() as { n: number }).n;
      // Many matches sorted by price: walk the price index in order and stop at the page (`+`
      // keeps SQLite from looking the matches up by id and sorting them all). Few: sort them.
      const walk = sort?.field === 'price' && total > 1000 && this.hasPriceIndex(name) ? '+' : '';
      const rows = (
        q.text?.trim() && !sort
          ? this.db.prepare(`SELECT t.doc FROM ${from} ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, limit, q.offset ?? 0)
          : this.db
              .prepare(
                `SELECT t.doc FROM ${t} t ${everything ? '' : `WHERE ${walk}t.num_id IN (SELECT num_id FROM temp.feeder_matches)`} ORDER BY ${order} LIMIT ? OFFSET ?`,
              )
              .all(limit, q.offset ?? 0)
      ) as { doc: string }[];
      const hits = rows.map((r) => JSON.parse(r.doc) as SinkDocument);
      const counted = { indexed, facetTable, table: t, matches, everything };
      const ranges = Object.fromEntries(kinds.ranges.map((facet) => [facet, this.rangeOf(facetField(this.profile, facet), counted)]));
      const facets = Object.fromEntries(kinds.terms.map((facet) => [facet, this.valuesOf(facetField(this.profile, facet), counted, kinds.size)]));
      return { total, hits, ...(q.facets ? { facets } : {}), ...(Object.keys(ranges).length ? { ranges } : {}) };
    })();
  }

  /** The lowest and highest value of a numeric field among the matches: the price column, the facet table, or each document's JSON. */
  private rangeOf(field: string, c: Counted): { min: number | null; max: number | null } {
    if (field === 'price')
      return this.db.prepare(`SELECT min(t.price) AS min, max(t.price) AS max FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id`).get() as Range;
    if (c.indexed.has(field)) {
      return this.db
        .prepare(`SELECT min(v.num) AS min, max(v.num) AS max FROM ${c.matches} CROSS JOIN ${c.facetTable} v ON v.num_id = m.num_id AND v.field = ?`)
        .get(field) as Range;
    }
    return this.db
      .prepare(
        `SELECT min(j.value) AS min, max(j.value) AS max FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id JOIN json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real')`,
      )
      .get(jsonPath(field)) as Range;
  }

  /** A field's values among the matches with their counts, most frequent first: from the facet table (all of it when everything matches), or each document's JSON. */
  private valuesOf(field: string, c: Counted, size: number): { value: string; count: number }[] {
    let rows: { v: string | null; n: number }[];
    if (c.indexed.has(field) && c.everything) {
      rows = this.db
        .prepare(`SELECT value AS v, count(*) AS n FROM ${c.facetTable} WHERE field = ? AND num_id > 0 GROUP BY value ORDER BY n DESC, v LIMIT ?`)
        .all(field, size) as typeof rows;
    } else if (c.indexed.has(field)) {
      rows = this.db
        .prepare(
          `SELECT v.value AS v, count(*) AS n FROM ${c.matches} CROSS JOIN ${c.facetTable} v ON v.num_id = m.num_id AND v.field = ? GROUP BY v.value ORDER BY n DESC, v LIMIT ?`,
        )
        .all(field, size) as typeof rows;
    } else {
      rows = this.db
        .prepare(
          `SELECT ${FACET_VALUE} AS v, count(DISTINCT t.num_id) AS n FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id JOIN json_each(t.doc, ?) j GROUP BY v ORDER BY n DESC, v LIMIT ?`,
        )
        .all(jsonPath(field), size) as typeof rows;
    }
    return rows.filter((r) => r.v !== null).map((r) => ({ value: r.v!, count: r.n }));
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private tableExists(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  private renameTables(from: string, to: string): void {
    this.db.exec(`ALTER TABLE ${quote(from)} RENAME TO ${quote(to)}`);
    this.db.exec(`ALTER TABLE ${quote(`${from}__fts`)} RENAME TO ${quote(`${to}__fts`)}`);
    if (this.tableExists(`${from}__facets`)) this.db.exec(`ALTER TABLE ${quote(`${from}__facets`)} RENAME TO ${quote(`${to}__facets`)}`);
    this.indexedFields.delete(from);
    this.indexedFields.delete(to);
  }

  private dropTables(name: string): void {
    this.db.exec(`DROP TABLE IF EXISTS ${quote(name)}; DROP TABLE IF EXISTS ${quote(`${name}__fts`)}; DROP TABLE IF EXISTS ${quote(`${name}__facets`)};`);
    this.indexedFields.delete(name);
  }
}

/**
 * A facet value of `json_each` row `j` as Elasticsearch's flattened type counts it: the text of a
 * scalar, true/false for booleans, each element of a list.
 */
const FACET_VALUE = `CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.value AS TEXT) END`;

type Range = { min: number | null; max: number | null };

/** Where a search's facets are counted: the matches (`m`), and the tables of the live index. */
interface Counted {
  indexed: Set<string>;
  facetTable: string;
  table: string;
  matches: string;
  everything: boolean;
}

/** Search results kept per connection (each at most a page of documents and its facets). */
const RESULT_CACHE_ENTRIES = 256;

/** A sort key from the facet table: the number for a numeric field, else the text; of several values the lowest ascending, the highest descending (as Elasticsearch sorts). */
function sortValue(field: string, profile: SearchProfile, desc: boolean): string {
  return `${desc ? 'max' : 'min'}(${fieldType(profile, field) === 'number' ? 's.num' : 's.value'})`;
}

/** The scalar values of a document field as the facet table holds them: text as Elasticsearch's flattened type counts it, and the number. */
function facetValues(doc: SinkDocument, field: string): { value: string; num: number | null }[] {
  let value: unknown = doc;
  for (const part of field.split('.'))
    value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  const out: { value: string; num: number | null }[] = [];
  for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
    if (typeof v === 'string') out.push({ value: v, num: null });
    else if (typeof v === 'number' && Number.isFinite(v)) out.push({ value: String(v), num: v });
    else if (typeof v === 'boolean') out.push({ value: String(v), num: null });
  }
  return out;
}

/** A SQLite JSON path for a dotted field path, every key quoted (`attributes.size` → `$."attributes"."size"`). */
function jsonPath(field: string): string {
  return `$${field
    .split('.')
    .map((k) => `."${k.replace(/"/g, '\\"')}"`)
    .join('')}`;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
