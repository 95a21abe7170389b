import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openWalDatabase } from '../platform/sqlite';
import {
  live,
  facetKinds,
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
import { allSearchFields, facetField, isRangeFacet, queryVariants, searchFields } from '../profile/query';
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

  constructor(
    file: string,
    readonly indexName: string,
    private readonly profile: SearchProfile,
  ) {
    this.columns = ftsColumns(profile);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = openWalDatabase(file);
    this.db.pragma('synchronous = NORMAL');
  }

  async has(target: Target): Promise<boolean> {
    return this.tableExists(target.name);
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const target = { kind, name: `${live(this, kind).name}__g${gen}` };
    this.dropTables(target.name);
    const t = quote(target.name);
    this.db.exec(`
      CREATE TABLE ${t} (id TEXT PRIMARY KEY, num_id INTEGER NOT NULL, doc TEXT NOT NULL, name TEXT, price REAL, is_active INTEGER);
      CREATE INDEX ${quote(`${target.name}_num_id`)} ON ${t}(num_id);
      CREATE VIRTUAL TABLE ${quote(`${target.name}__fts`)} USING fts5(${this.columns.map((c) => quote(c.column)).join(', ')}, tokenize = '${MAPPING.fts.tokenize}');
    `);
    return target;
  }

  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    const rejected: Rejection[] = [];
    const t = quote(target.name);
    const f = quote(`${target.name}__fts`);
    const upsert = this.db.prepare(`INSERT OR REPLACE INTO ${t} (id, num_id, doc, name, price, is_active) VALUES (?, ?, ?, ?, ?, ?)`);
    const unindex = this.db.prepare(`DELETE FROM ${f} WHERE rowid = ?`);
    const index = this.db.prepare(
      `INSERT INTO ${f} (rowid, ${this.columns.map((c) => quote(c.column)).join(', ')}) VALUES (?${', ?'.repeat(this.columns.length)})`,
    );
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
      }
    })();
    return rejected;
  }

  async delete(target: Target, ids: readonly string[]): Promise<void> {
    const del = this.db.prepare(`DELETE FROM ${quote(target.name)} WHERE id = ?`);
    const unindex = this.db.prepare(`DELETE FROM ${quote(`${target.name}__fts`)} WHERE rowid = ?`);
    this.db.transaction(() => {
      for (const id of ids) {
        del.run(id);
        if (/^\d+$/.test(id)) unindex.run(Number(id));
      }
    })();
  }

  async swap(target: Target, stamp: IndexStamp): Promise<void> {
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
    const name = live(this, 'products').name;
    if (!this.tableExists(name)) return { total: 0, hits: [] };
    const t = quote(name);
    const f = quote(`${name}__fts`);
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
    if (q.categoryId !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(t.doc, '$.category_ids') WHERE value = ?)`);
      params.push(q.categoryId);
    }
    if (q.minPrice !== undefined) {
      where.push(q.minPriceExclusive ? 't.price > ?' : 't.price >= ?');
      params.push(q.minPrice);
    }
    if (q.maxPrice !== undefined) {
      where.push(q.maxPriceExclusive ? 't.price < ?' : 't.price <= ?');
      params.push(q.maxPrice);
    }
    if (q.isActive !== undefined) {
      where.push('t.is_active = ?');
      params.push(Number(q.isActive));
    }
    for (const [facet, values] of Object.entries(q.filters ?? {})) {
      where.push(`EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE ${FACET_VALUE} IN (SELECT value FROM json_each(?)))`);
      params.push(jsonPath(facetField(this.profile, facet)), JSON.stringify(values));
    }
    for (const [facet, { min, max }] of Object.entries(q.ranges ?? {})) {
      const bounds = [...(min !== undefined ? ['j.value >= ?'] : []), ...(max !== undefined ? ['j.value <= ?'] : [])];
      where.push(`EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real')${bounds.map((b) => ` AND ${b}`).join('')})`);
      params.push(jsonPath(facetField(this.profile, facet)), ...[min, max].filter((b) => b !== undefined));
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sort = sortOf(q.sort);
    const key = sort?.field === 'price' ? 't.price' : sort ? `json_extract(t.doc, '${jsonPath(sort.field).replace(/'/g, "''")}')` : '';
    const order = sort ? `${key} IS NULL, ${key}${sort.desc ? ' DESC' : ''}, t.num_id` : relevance;
    const limit = q.limit ?? 10;
    const facetSize = Math.min(q.facetSize ?? 50, 100);
    // One read transaction: the count, the hits and the facets come from the same snapshot.
    return this.db.transaction(() => {
      const total = (this.db.prepare(`SELECT count(*) AS n FROM ${from} ${whereSql}`).get(...params) as { n: number }).n;
      const rows = this.db.prepare(`SELECT t.doc FROM ${from} ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, limit, q.offset ?? 0) as {
        doc: string;
      }[];
      const hits = rows.map((r) => JSON.parse(r.doc) as SinkDocument);
      const facets: Record<string, { value: string; count: number }[]> = {};
      const ranges: Record<string, { min: number | null; max: number | null }> = {};
      const kinds = facetKinds(q, (f) => isRangeFacet(this.profile, f));
      for (const key of kinds.ranges) {
        const r = this.db
          .prepare(
            `SELECT min(j.value) AS min, max(j.value) AS max FROM ${from} JOIN json_each(t.doc, ?) j ${whereSql} ${whereSql ? 'AND' : 'WHERE'} j.type IN ('integer', 'real')`,
          )
          .get(jsonPath(facetField(this.profile, key)), ...params) as { min: number | null; max: number | null };
        ranges[key] = { min: r.min, max: r.max };
      }
      for (const key of kinds.terms) {
        const rows = this.db
          .prepare(
            `SELECT ${FACET_VALUE} AS v, count(DISTINCT t.num_id) AS n
               FROM ${from} JOIN json_each(t.doc, ?) j ${whereSql}
              GROUP BY v ORDER BY n DESC, v LIMIT ?`,
          )
          .all(jsonPath(facetField(this.profile, key)), ...params, facetSize) as { v: string | null; n: number }[];
        facets[key] = rows.filter((r) => r.v !== null).map((r) => ({ value: r.v!, count: r.n }));
      }
      return { total, hits, ...(q.facets ? { facets } : {}), ...(Object.keys(ranges).length ? { ranges } : {}) };
    })();
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
  }

  private dropTables(name: string): void {
    this.db.exec(`DROP TABLE IF EXISTS ${quote(name)}; DROP TABLE IF EXISTS ${quote(`${name}__fts`)};`);
  }
}

/**
 * A facet value of `json_each` row `j` as Elasticsearch's flattened type counts it: the text of a
 * scalar, true/false for booleans, each element of a list.
 */
const FACET_VALUE = `CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.value AS TEXT) END`;

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
