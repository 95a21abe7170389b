import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  live,
  hitOf,
  type IndexKind,
  type Rejection,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type EngineSink,
  type SinkDocument,
  type Target,
} from './types';
import { ftsQuery, searchableText } from './text';
import { readMapping } from './mappings';

/** FTS settings, versioned with the code in mappings/sqlite.json. */
const MAPPING = readMapping<{ fts: { tokenize: string; columns: Record<'name' | 'sku' | 'base_code' | 'labels' | 'categories', number> } }>('sqlite.json');
const FTS_COLUMNS = Object.keys(MAPPING.fts.columns) as (keyof typeof MAPPING.fts.columns)[];

/**
 * The embedded sink: one SQLite file, a table of documents plus an FTS5 index per physical index.
 * Public names are plain tables (`products`, `products__fts`, ...) so any SQLite reader can query
 * them; a rebuild fills `<name>__g<gen>` and renames it into place in one transaction. In WAL mode
 * a reader keeps the snapshot it started with, so it sees the old index or the new, never half.
 */
export class SqliteSink implements EngineSink {
  readonly engine = 'sqlite';
  private readonly db: Database.Database;

  constructor(
    file: string,
    readonly indexName: string,
  ) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
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
      CREATE VIRTUAL TABLE ${quote(`${target.name}__fts`)} USING fts5(${FTS_COLUMNS.join(', ')}, tokenize = '${MAPPING.fts.tokenize}');
    `);
    return target;
  }

  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    const rejected: Rejection[] = [];
    const t = quote(target.name);
    const f = quote(`${target.name}__fts`);
    const upsert = this.db.prepare(`INSERT OR REPLACE INTO ${t} (id, num_id, doc, name, price, is_active) VALUES (?, ?, ?, ?, ?, ?)`);
    const unindex = this.db.prepare(`DELETE FROM ${f} WHERE rowid = ?`);
    const index = this.db.prepare(`INSERT INTO ${f} (rowid, ${FTS_COLUMNS.join(', ')}) VALUES (?${', ?'.repeat(FTS_COLUMNS.length)})`);
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
        const text = searchableText(doc);
        index.run(num, ...FTS_COLUMNS.map((c) => text[c]));
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

  async swap(target: Target, origin: string): Promise<void> {
    const pub = live(this, target.kind).name;
    const retired = `${pub}__retired`;
    this.db
      .transaction(() => {
        this.dropTables(retired);
        if (this.tableExists(pub)) this.renameTables(pub, retired);
        this.renameTables(target.name, pub);
        this.dropTables(retired);
        this.db.exec('CREATE TABLE IF NOT EXISTS _feeder_origin (name TEXT PRIMARY KEY, source TEXT NOT NULL)');
        this.db.prepare('INSERT OR REPLACE INTO _feeder_origin (name, source) VALUES (?, ?)').run(pub, origin);
      })
      .immediate();
  }

  async origin(kind: IndexKind): Promise<string | null> {
    if (!this.tableExists(live(this, kind).name) || !this.tableExists('_feeder_origin')) return null;
    const row = this.db.prepare('SELECT source FROM _feeder_origin WHERE name = ?').get(live(this, kind).name) as { source: string } | undefined;
    return row?.source ?? null;
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
      const match = ftsQuery(q.text);
      if (!match) return { total: 0, hits: [] };
      from = `${f} JOIN ${t} t ON t.num_id = ${f}.rowid`;
      where.push(`${f} MATCH ?`);
      params.push(match);
      relevance = `bm25(${f}, ${FTS_COLUMNS.map((c) => MAPPING.fts.columns[c].toFixed(1)).join(', ')}), t.num_id`;
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
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const order = q.sort === 'price' ? 't.price IS NULL, t.price, t.num_id' : q.sort === '-price' ? 't.price IS NULL, t.price DESC, t.num_id' : relevance;
    const limit = q.limit ?? 10;
    // One read transaction: the count and the hits come from the same snapshot.
    return this.db.transaction(() => {
      const total = (this.db.prepare(`SELECT count(*) AS n FROM ${from} ${whereSql}`).get(...params) as { n: number }).n;
      const rows = this.db.prepare(`SELECT t.doc FROM ${from} ${whereSql} ORDER BY ${order} LIMIT ?`).all(...params, limit) as { doc: string }[];
      const hits: SearchHit[] = rows.map((r) => hitOf(JSON.parse(r.doc) as Record<string, unknown>));
      const facets: Record<string, { value: string; count: number }[]> = {};
      for (const key of q.facets ?? []) {
        // Values as Elasticsearch's flattened type counts them: text of the scalar, true/false for booleans.
        const rows = this.db
          .prepare(
            `SELECT CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.value AS TEXT) END AS v, count(*) AS n
               FROM ${from} JOIN json_each(t.doc, '$.attributes') j ON j.key = ? ${whereSql}
              GROUP BY v ORDER BY n DESC, v LIMIT 50`,
          )
          .all(key, ...params) as { v: string | null; n: number }[];
        facets[key] = rows.filter((r) => r.v !== null).map((r) => ({ value: r.v!, count: r.n }));
      }
      return { total, hits, ...(q.facets ? { facets } : {}) };
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

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
