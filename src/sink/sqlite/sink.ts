import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openWalDatabase } from '../../platform/sqlite';
import {
  live,
  physicalName,
  type IndexKind,
  type Rejection,
  type SearchQuery,
  type SearchResult,
  type EngineSink,
  type IndexStamp,
  type SinkDocument,
  type Target,
} from '../types';
import { fieldText } from '../text';
import { CachedSearcher } from '../cache';
import type { SearchProfile } from '../../profile/schema';
import { docIndexesSql, facetIndexesSql, facetTableFields, facetValues, ftsColumns, hasColumn, MAPPING, quote, tableExists, storedDocument } from './schema';
import { SqliteSearcher } from './search';

/** Bytes of recent results the writer's own connection keeps (the CLI's searches; `serve` has its own cache, SEARCH_CACHE_MAX_BYTES). */
const OWN_CACHE_BYTES = 16 * 1024 * 1024;

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
  /** The fields whose values the facet table of a new index holds (see `createFacetTable`). */
  private readonly facetTableFields: string[];
  private readonly searcher: SqliteSearcher;
  /** Tables whose facet indexes this connection has checked. */
  private readonly upgraded = new Set<string>();
  /** Recent results of this connection's searches, forgotten when another connection commits or this one writes. */
  private readonly cache: CachedSearcher;
  /** This connection's own writes (they do not change `data_version`, which counts other connections' commits). */
  private writes = 0;

  constructor(
    file: string,
    readonly indexName: string,
    private readonly profile: SearchProfile,
  ) {
    this.columns = ftsColumns(profile);
    this.facetTableFields = facetTableFields(profile);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = openWalDatabase(file);
    this.db.pragma('synchronous = NORMAL');
    this.searcher = new SqliteSearcher(this.db, live(this, 'products').name, profile);
    this.cache = new CachedSearcher({ search: async (q) => this.searcher.search(q) }, { maxBytes: OWN_CACHE_BYTES, version: () => this.version() });
  }

  /** Changes whenever the index file changes: another connection's commit, or a write of this one. */
  version(): string {
    return `${this.db.pragma('data_version', { simple: true }) as number}:${this.writes}`;
  }

  async has(target: Target): Promise<boolean> {
    return this.tableExists(target.name);
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const target = { kind, name: physicalName(live(this, kind).name, gen) };
    this.dropTables(target.name);
    const t = quote(target.name);
    this.db.exec(`
      CREATE TABLE ${t} (id TEXT PRIMARY KEY, num_id INTEGER NOT NULL, name TEXT, price REAL, is_active INTEGER, doc TEXT NOT NULL, is_listable INTEGER);
      ${docIndexesSql(target.name)}
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
      ${facetIndexesSql(name)}
    `);
    const mark = this.db.prepare(`INSERT INTO ${f} (field, value, num_id) VALUES (?, '', 0)`);
    for (const field of this.facetTableFields) mark.run(field);
    this.searcher.forget(name);
  }

  /**
   * The facet table of an index built before facet tables existed, filled from its documents once;
   * and the facet indexes of this version on a table built before them.
   */
  private ensureFacetTable(name: string): void {
    if (!this.upgraded.has(name) && !hasColumn(this.db, name, 'is_listable')) {
      // A documents table built before listability had a column of its own: added, and filled from the documents once.
      this.db
        .transaction(() => {
          this.db.exec(`ALTER TABLE ${quote(name)} ADD COLUMN is_listable INTEGER`);
          this.db.exec(`UPDATE ${quote(name)} SET is_listable = json_extract(doc, '$.is_listable')`);
        })
        .immediate();
      this.searcher.forget(name);
    }
    if (this.tableExists(`${name}__facets`)) {
      if (!this.upgraded.has(name)) this.db.exec(facetIndexesSql(name) + docIndexesSql(name));
      this.upgraded.add(name);
      return;
    }
    this.db
      .transaction(() => {
        this.createFacetTable(name);
        const insert = this.facetInsert(name);
        for (const row of this.db.prepare(`SELECT num_id, doc FROM ${quote(name)}`).iterate() as IterableIterator<{ num_id: number; doc: string }>) {
          insert(row.num_id, storedDocument(row.doc));
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

  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    this.writes++;
    const rejected: Rejection[] = [];
    const t = quote(target.name);
    const f = quote(`${target.name}__fts`);
    this.ensureFacetTable(target.name);
    const upsert = this.db.prepare(`INSERT OR REPLACE INTO ${t} (id, num_id, doc, name, price, is_active, is_listable) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const unindex = this.db.prepare(`DELETE FROM ${f} WHERE rowid = ?`);
    const index = this.db.prepare(
      `INSERT INTO ${f} (rowid, ${this.columns.map((c) => quote(c.column)).join(', ')}) VALUES (?${', ?'.repeat(this.columns.length)})`,
    );
    const facets = this.facetInsert(target.name);
    this.db.transaction(() => {
      for (const doc of docs) {
        const id = String(doc.id);
        if (!/^\d{1,15}$/.test(id)) {
          rejected.push({ id, reason: 'id must be a positive integer (the FTS rowid)', raw: doc });
          continue;
        }
        const num = Number(id);
        const price = typeof doc.price === 'number' ? doc.price : null;
        const flag = (v: unknown) => (typeof v === 'boolean' ? Number(v) : null);
        upsert.run(id, num, JSON.stringify(doc), typeof doc.name === 'string' ? doc.name : null, price, flag(doc.is_active), flag(doc.is_listable));
        unindex.run(num);
        index.run(num, ...this.columns.map((c) => fieldText(doc, c.field)));
        facets(num, doc);
      }
    })();
    return rejected;
  }

  async delete(target: Target, ids: readonly string[]): Promise<void> {
    this.writes++;
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
    this.writes++;
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

  async restamp(kind: IndexKind, stamp: IndexStamp): Promise<void> {
    this.db.prepare('UPDATE _feeder_origin SET source = ?, profile = ? WHERE name = ?').run(stamp.source, stamp.profile, live(this, kind).name);
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
    this.writes++;
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
    for (const r of rows) out.set(r.id, storedDocument(r.doc));
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
      yield rows.map((r) => storedDocument(r.doc));
    }
  }

  /** Brings the live index's tables up to this version's (facet table, facet indexes) before other connections search it. */
  prepareSearch(): void {
    if (this.tableExists(live(this, 'products').name)) this.ensureFacetTable(live(this, 'products').name);
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    this.ensureFacetTable(live(this, 'products').name);
    return this.cache.search(q);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private tableExists(name: string): boolean {
    return tableExists(this.db, name);
  }

  private renameTables(from: string, to: string): void {
    this.db.exec(`ALTER TABLE ${quote(from)} RENAME TO ${quote(to)}`);
    this.db.exec(`ALTER TABLE ${quote(`${from}__fts`)} RENAME TO ${quote(`${to}__fts`)}`);
    if (this.tableExists(`${from}__facets`)) this.db.exec(`ALTER TABLE ${quote(`${from}__facets`)} RENAME TO ${quote(`${to}__facets`)}`);
    for (const name of [from, to]) {
      this.searcher.forget(name);
      this.upgraded.delete(name);
    }
  }

  private dropTables(name: string): void {
    this.db.exec(`DROP TABLE IF EXISTS ${quote(name)}; DROP TABLE IF EXISTS ${quote(`${name}__fts`)}; DROP TABLE IF EXISTS ${quote(`${name}__facets`)};`);
    this.searcher.forget(name);
    this.upgraded.delete(name);
  }
}
