import type Database from 'better-sqlite3';
import { type Bounds, type EngineRequest, msSince, type SearchQuery, type SearchResult } from '../types';
import { searchPlan } from '../plan';
import { bucketsStatement, matchQuery, rangeStatement, sortClause, valuesStatement, type Counted, type SortClause, type TableFacts } from './query';
import type { SearchProfile } from '../../profile/schema';
import { hasColumn, quote, storedDocument, tableExists, tablesOf } from './schema';

/**
 * Searches the public index of an embedded index file over one connection: the writer's own (the
 * CLI), or a read-only connection in a worker thread (`serve`, see pool.ts). Its SQL comes from
 * query.ts, the pure compiler; this class reads the live tables' facts and runs it. Everything it does is a
 * read; the matches of a search go to a temporary table of this connection.
 */
export class SqliteSearcher {
  /** Per physical table, the fields its facet table holds (read from its marker rows). */
  private readonly indexedFields = new Map<string, Set<string>>();
  private readonly listable = new Map<string, boolean>();

  constructor(
    private db: Database.Database,
    private readonly indexName: string,
    private readonly profile: SearchProfile,
  ) {
    // The matches of a search, collected once per search and counted by each facet (this connection only).
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS feeder_matches (num_id INTEGER PRIMARY KEY)');
  }

  /** Forgets what it read of an index's tables (the writer renamed or dropped them). */
  forget(name: string): void {
    for (const key of this.indexedFields.keys()) if (key.startsWith(`${name}:`)) this.indexedFields.delete(key);
    for (const key of this.listable.keys()) if (key.startsWith(`${name}:`)) this.listable.delete(key);
  }

  search(q: SearchQuery): SearchResult {
    if (!q.explain) return this.searchOn(q);
    // Every statement this search runs, with its parameters, time and query plan. Searches are
    // synchronous on their connection, so the tracing handle is this search's alone.
    const real = this.db;
    const trace: EngineRequest[] = [];
    this.db = tracing(real, trace);
    try {
      return { ...this.searchOn(q), explain: trace };
    } finally {
      this.db = real;
    }
  }

  private searchOn(q: SearchQuery): SearchResult {
    const plan = searchPlan(q, this.profile);
    if (!plan) return { total: 0, hits: [] }; // typed, but not a word in it (docs/CONTRACT.md §5)
    const name = this.indexName;
    const tables = tablesOf(name);
    if (!tableExists(this.db, name)) return { total: 0, hits: [] };
    const indexed = this.indexed(name);
    const facts: TableFacts = {
      name,
      indexed,
      listable: this.hasListable(name),
      // The live table's own text columns (an index built with an earlier profile keeps its own).
      ftsColumns: plan.text === null ? [] : (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(tables.fts) as { name: string }[]).map((r) => r.name),
    };
    const m = matchQuery(plan, this.profile, facts);
    if (!m) return { total: 0, hits: [] };
    const { from, where, params, relevance, text } = m;
    const t = quote(tables.docs);
    const facetTable = quote(tables.facets);
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sortFor = (matches: number) => sortClause(plan, this.profile, facts, matches);
    const orderOf = (sorted: SortClause | null) => (sorted ? sorted.order : relevance);
    const { limit, offset } = plan;
    // One read transaction: the count, the hits and the facets come from the same snapshot. The
    // matches are collected once (a temporary table) and every facet is counted over them, the
    // matches first (CROSS JOIN fixes that order: SQLite has no statistics of a temporary table and
    // would otherwise walk a facet's every row, 50 ms at 100k products, for three matches).
    const everything = where.length === 0;
    if (!everything && plan.terms.length === 0 && plan.stats.length === 0 && !plan.bucketsAsked) {
      // Nothing to count: the page straight from the indexes (a listing's `_listed`, the text
      // match), and the total by one count, without collecting the matches first.
      return this.db.transaction(() => {
        const total = !plan.countAll ? null : (this.db.prepare(`SELECT count(*) AS n FROM ${from} ${whereSql}`).get(...params) as { n: number }).n;
        const sorted = sortFor(total ?? Infinity);
        const rows = this.db
          .prepare(`SELECT t.doc${sorted?.select ?? ''} FROM ${from} ${sorted?.join ?? ''} ${whereSql} ORDER BY ${orderOf(sorted)} LIMIT ? OFFSET ?`)
          .all(...params, limit, offset) as { doc: string }[];
        return { total: total ?? offset + rows.length, hits: rows.map((r) => storedDocument(r.doc)) };
      })();
    }
    return this.db.transaction(() => {
      if (!everything) {
        this.db.exec('DELETE FROM temp.feeder_matches');
        this.db.prepare(`INSERT INTO temp.feeder_matches (num_id) SELECT t.num_id FROM ${from} ${whereSql}`).run(...params);
      }
      const matches = everything ? `${t} m` : 'temp.feeder_matches m';
      const total = (this.db.prepare(`SELECT count(*) AS n FROM ${matches}`).get() as { n: number }).n;
      // Many matches sorted by price: walk the price index in order and stop at the page (`+`
      // keeps SQLite from looking the matches up by id and sorting them all). Few: sort them.
      const walk = plan.sort?.field === 'price' && total > 1000 && this.hasPriceIndex(name) ? '+' : '';
      const sorted = sortFor(total);
      const rows = (
        text && !sorted
          ? this.db.prepare(`SELECT t.doc FROM ${from} ${whereSql} ORDER BY ${relevance} LIMIT ? OFFSET ?`).all(...params, limit, offset)
          : this.db
              .prepare(
                `SELECT t.doc${sorted?.select ?? ''} FROM ${t} t ${sorted?.join ?? ''} ${everything ? '' : `WHERE ${walk}t.num_id IN (SELECT num_id FROM temp.feeder_matches)`} ORDER BY ${orderOf(sorted)} LIMIT ? OFFSET ?`,
              )
              .all(limit, offset)
      ) as { doc: string }[];
      const hits = rows.map((r) => storedDocument(r.doc));
      const counted = { indexed, facetTable, table: t, matches, everything };
      const ranges = Object.fromEntries(plan.stats.map((f) => [f.name, this.rangeOf(f.field, counted)]));
      const facets = Object.fromEntries(plan.terms.map((f) => [f.name, this.valuesOf(f.field, counted, plan.facetSize)]));
      const buckets = Object.fromEntries(plan.buckets.map((b) => [b.name, this.bucketsOf(b.field, b.bounds, counted)]));
      return {
        total,
        hits,
        ...(plan.facetsAsked ? { facets } : {}),
        ...(Object.keys(ranges).length ? { ranges } : {}),
        ...(plan.bucketsAsked ? { buckets } : {}),
      };
    })();
  }

  /** Whether a documents table has the `is_listable` column (keyed by the schema's version: an upgrade adds it). */
  private hasListable(name: string): boolean {
    const key = `${name}:${this.db.pragma('schema_version', { simple: true }) as number}:listable`;
    let has = this.listable.get(key);
    if (has === undefined) {
      has = hasColumn(this.db, name, 'is_listable');
      this.listable.set(key, has);
    }
    return has;
  }

  /** Whether a table has the price indexes of this version (an index built earlier has not, until its next rebuild). */
  private hasPriceIndex(name: string): boolean {
    const indexes = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").all(name) as { name: string }[];
    return indexes.some((x) => x.name.endsWith('_price_asc'));
  }

  /** The fields an index's facet table holds (none when it has no facet table: each document's JSON is read instead). */
  private indexed(name: string): Set<string> {
    // Keyed by the schema's version too: a swap by another connection renames a new index into place.
    const key = `${name}:${this.db.pragma('schema_version', { simple: true }) as number}`;
    let fields = this.indexedFields.get(key);
    if (!fields) {
      const table = tablesOf(name).facets;
      const rows = tableExists(this.db, table) ? (this.db.prepare(`SELECT field FROM ${quote(table)} WHERE num_id = 0`).all() as { field: string }[]) : [];
      fields = new Set(rows.map((r) => r.field));
      if (rows.length) this.indexedFields.set(key, fields);
    }
    return fields;
  }

  private rangeOf(field: string, c: Counted): Range {
    const st = rangeStatement(field, c);
    return this.db.prepare(st.sql).get(...st.params) as Range;
  }

  private bucketsOf(field: string, list: readonly Bounds[], c: Counted): number[] {
    if (list.length === 0) return [];
    const st = bucketsStatement(field, list, c);
    const row = this.db.prepare(st.sql).get(...st.params) as Record<string, number | null>;
    return list.map((_, i) => row[`b${i}`] ?? 0);
  }

  private valuesOf(field: string, c: Counted, size: number): { value: string; count: number }[] {
    // A field no document has (a profile facet this catalog does not fill): nothing to count, and
    // no index seek per match to find that out.
    if (c.indexed.has(field) && !c.everything && !this.db.prepare(`SELECT 1 FROM ${c.facetTable} WHERE field = ? AND num_id > 0 LIMIT 1`).get(field)) return [];
    const st = valuesStatement(field, c, size);
    const rows = this.db.prepare(st.sql).all(...st.params) as { v: string | null; n: number }[];
    return rows.filter((r) => r.v !== null).map((r) => ({ value: r.v!, count: r.n }));
  }
}

type Range = { min: number | null; max: number | null };

/**
 * A connection that records each statement it runs (SQL, parameters, milliseconds, and SQLite's
 * query plan) into `trace`; everything else is the connection itself.
 */
function tracing(db: Database.Database, trace: EngineRequest[]): Database.Database {
  const traced = (sql: string, stmt: Database.Statement): Database.Statement =>
    new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        if (prop !== 'all' && prop !== 'get' && prop !== 'run') return (value as (...a: unknown[]) => unknown).bind(target);
        return (...params: unknown[]) => {
          const started = performance.now();
          const out = (value as (...a: unknown[]) => unknown).apply(target, params);
          const ms = msSince(started);
          const plan = /^\s*(SELECT|INSERT|WITH)/i.test(sql)
            ? (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail)
            : [];
          trace.push({ engine: 'sqlite', request: { sql: sql.replace(/\s+/g, ' ').trim(), params, plan }, ms });
          return out;
        };
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => traced(sql, target.prepare(sql));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? ((value as (...a: unknown[]) => unknown).bind(target) as unknown) : value;
    },
  });
}
