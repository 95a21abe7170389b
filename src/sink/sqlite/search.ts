import type Database from 'better-sqlite3';
import { comparisons, type Bounds, type EngineRequest, msSince, type SearchQuery, type SearchResult } from '../types';
import { searchPlan, type SearchPlan } from '../plan';
import { ftsAnyOf } from '../text';
import { fieldType, searchFields } from '../../profile/query';
import type { SearchProfile } from '../../profile/schema';
import { FACET_VALUE, ftsColumn, hasColumn, jsonPath, literal, quote, storedDocument, tableExists, tablesOf } from './schema';

/**
 * Searches the public index of an embedded index file over one connection: the writer's own (the
 * CLI), or a read-only connection in a worker thread (`serve`, see pool.ts). Everything it does is a
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
    const t = quote(tables.docs);
    const f = quote(tables.fts);
    const facetTable = quote(tables.facets);
    const where: string[] = [];
    const params: unknown[] = [];
    let from = `${t} t`;
    let relevance = 't.num_id';
    const { text } = plan;
    if (text !== null) {
      const any = ftsAnyOf(plan.variants);
      if (!any) return { total: 0, hits: [] };
      // The live table's own columns (an index built with an earlier profile keeps its own): the
      // searched ones filter the match, and every column gets its weight, by position, for bm25.
      const present = (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(tables.fts) as { name: string }[]).map((r) => r.name);
      const wanted = new Map(searchFields(this.profile, plan.locale).map((s) => [ftsColumn(s.field), s.weight]));
      const searched = present.filter((c) => wanted.has(c));
      if (searched.length === 0) return { total: 0, hits: [] };
      from = `${f} CROSS JOIN ${t} t ON t.num_id = ${f}.rowid`; // CROSS: the text match drives (never an FTS lookup per document)
      where.push(`${f} MATCH ?`);
      params.push(searched.length === present.length ? any : `{${searched.map((c) => `"${c}"`).join(' ')}} : (${any})`);
      relevance = `bm25(${f}, ${present.map((c) => (wanted.get(c) ?? 1).toFixed(1)).join(', ')}), t.num_id`;
    }
    // A text match is joined to its documents by id: `+` keeps SQLite from walking the listing index
    // (`_listed`) for each match instead (17 s instead of 27 ms for 3,000 matches at 100k products).
    const column = (name: string) => `${text !== null ? '+' : ''}t.${name}`;
    if (plan.isActive !== undefined) {
      where.push(`${column('is_active')} = ?`);
      params.push(Number(plan.isActive));
    }
    if (plan.isListable !== undefined) {
      // Its own column (indexed with `is_active` and `price`); a table built before it had one reads each document.
      where.push(this.hasListable(name) ? `${column('is_listable')} = ?` : `json_extract(t.doc, '$.is_listable') = ?`);
      params.push(Number(plan.isListable));
    }
    for (const { field, values } of plan.values) {
      // Through the facet table when it holds the field, else each document's JSON.
      where.push(
        indexed.has(field)
          ? `t.num_id IN (SELECT num_id FROM ${facetTable} WHERE field = ? AND value IN (SELECT value FROM json_each(?)))`
          : `EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE ${FACET_VALUE} IN (SELECT value FROM json_each(?)))`,
      );
      params.push(indexed.has(field) ? field : jsonPath(field), JSON.stringify(values));
    }
    for (const { field, bounds: list } of plan.ranges) {
      if (field === 'price') {
        const c = inAnyOf(column('price'), list);
        where.push(c.sql);
        params.push(...c.params);
      } else if (indexed.has(field)) {
        const c = inAnyOf('num', list);
        where.push(`t.num_id IN (SELECT num_id FROM ${facetTable} WHERE field = ? AND num IS NOT NULL AND ${c.sql})`);
        params.push(field, ...c.params);
      } else {
        const c = inAnyOf('j.value', list);
        where.push(`EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real') AND ${c.sql})`);
        params.push(jsonPath(field), ...c.params);
      }
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sortFor = (matches: number) => this.sortClause(plan, indexed, facetTable, matches);
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
        text !== null && !sorted
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

  /**
   * The ORDER BY of a sort, and what gives its key. A field of the facet table is keyed, for a few
   * matches, by one index seek each (`_sort`, `_doc`); for many, by one grouped pass over that
   * field's rows (of several values the lowest ascending, the highest descending, as Elasticsearch
   * sorts), joined to the documents: never a walk over the field per document.
   */
  private sortClause(plan: SearchPlan, indexed: Set<string>, facetTable: string, matches: number): SortClause | null {
    const { sort } = plan;
    if (!sort) return null;
    const dir = sort.desc ? ' DESC' : '';
    const by = (key: string) => `${key} IS NULL, ${key}${dir}, t.num_id`;
    if (sort.field === 'price') return { order: by('t.price') };
    if (!indexed.has(sort.field)) return { order: by(`json_extract(t.doc, ${literal(jsonPath(sort.field))})`) };
    const column = fieldType(this.profile, sort.field) === 'number' ? 'num' : 'value';
    const pick = sort.desc ? 'max' : 'min';
    if (matches < SEEK_SORT_MATCHES) {
      const key = `(SELECT ${pick}(v.${column}) FROM ${facetTable} v WHERE v.field = ${literal(sort.field)} AND v.num_id = t.num_id)`;
      return { order: by('feeder_k'), select: `, ${key} AS feeder_k` };
    }
    const join = `LEFT JOIN (SELECT num_id, ${pick}(${column}) AS k FROM ${facetTable} WHERE field = ${literal(sort.field)} AND num_id > 0 GROUP BY num_id) s ON s.num_id = t.num_id`;
    return { order: by('s.k'), join };
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

  /** How many matches have a value in each bucket, in one pass over the matches: the price column, the facet table, or each document's JSON. */
  private bucketsOf(field: string, list: readonly Bounds[], c: Counted): number[] {
    if (list.length === 0) return [];
    const each = list.map((b) => inAnyOf(field === 'price' ? 't.price' : c.indexed.has(field) ? 'v.num' : 'j.value', [b]));
    const params = each.flatMap((e) => e.params);
    let row: Record<string, number | null>;
    if (field === 'price') {
      const sums = each.map((e, i) => `sum(${e.sql}) AS b${i}`).join(', ');
      row = this.db.prepare(`SELECT ${sums} FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id`).get(...params) as typeof row;
    } else {
      const counts = each.map((e, i) => `count(DISTINCT CASE WHEN ${e.sql} THEN m.num_id END) AS b${i}`).join(', ');
      row = (
        c.indexed.has(field)
          ? this.db
              .prepare(`SELECT ${counts} FROM ${c.matches} CROSS JOIN ${c.facetTable} v ON v.num_id = m.num_id AND v.field = ? AND v.num IS NOT NULL`)
              .get(...params, field)
          : this.db
              .prepare(
                `SELECT ${counts} FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id JOIN json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real')`,
              )
              .get(...params, jsonPath(field))
      ) as typeof row;
    }
    return list.map((_, i) => row[`b${i}`] ?? 0);
  }

  /** A field's values among the matches with their counts, most frequent first: from the facet table (all of it when everything matches), or each document's JSON. */
  private valuesOf(field: string, c: Counted, size: number): { value: string; count: number }[] {
    let rows: { v: string | null; n: number }[];
    if (c.indexed.has(field) && c.everything) {
      rows = this.db
        .prepare(`SELECT value AS v, count(*) AS n FROM ${c.facetTable} WHERE field = ? AND num_id > 0 GROUP BY value ORDER BY n DESC, v LIMIT ?`)
        .all(field, size) as typeof rows;
    } else if (c.indexed.has(field)) {
      // A field no document has (a profile facet this catalog does not fill): nothing to count, and
      // no index seek per match to find that out.
      if (!this.db.prepare(`SELECT 1 FROM ${c.facetTable} WHERE field = ? AND num_id > 0 LIMIT 1`).get(field)) return [];
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
}

type Range = { min: number | null; max: number | null };

/** A sort's ORDER BY, with the join or the selected column that gives its key. */
interface SortClause {
  order: string;
  join?: string;
  select?: string;
}

/**
 * Below this many matches, a sort key of the facet table is read by one index seek per match;
 * beyond, one grouped pass over the field (about 50 ms at 100k products) costs less.
 */
const SEEK_SORT_MATCHES = 20_000;

/** `expr` in any of the bounds, as SQL with its parameters (bounds with neither end match every value). */
function inAnyOf(expr: string, list: readonly Bounds[]): { sql: string; params: number[] } {
  const params: number[] = [];
  const alternatives = list.map((b) => {
    const ops = comparisons(b);
    params.push(...ops.map((c) => c.value));
    return ops.length ? ops.map((c) => `${expr} ${c.op} ?`).join(' AND ') : `${expr} IS NOT NULL`;
  });
  return { sql: alternatives.length ? `((${alternatives.join(') OR (')}))` : '0', params };
}

/** Where a search's facets are counted: the matches (`m`), and the tables of the live index. */
interface Counted {
  indexed: Set<string>;
  facetTable: string;
  table: string;
  matches: string;
  everything: boolean;
}

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
