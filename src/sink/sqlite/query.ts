import { fieldType, searchFields } from '../../profile/query';
import type { SearchProfile } from '../../profile/schema';
import type { SearchPlan } from '../plan';
import { ftsAnyOf } from '../text';
import { comparisons, type Bounds } from '../types';
import { FACET_VALUE, ftsColumn, jsonPath, literal, quote, tablesOf } from './schema';

/*
 * The embedded index's query compiler: pure functions from a search plan (sink/plan.ts) and what
 * the searcher read of the live tables (which fields the facet table holds, whether the documents
 * table has the `is_listable` column, the FTS table's columns) to SQL and its parameters. Every
 * value a shopper sends is a bound parameter, never SQL text. The searcher (search.ts) runs the
 * statements, and chooses between them by what it counted (`matches`).
 */

/** What the searcher read of the live index's tables. */
export interface TableFacts {
  /** The public (live) index name: its tables are named after it. */
  name: string;
  /** The fields the facet table holds (empty without a facet table: each document's JSON is read instead). */
  indexed: ReadonlySet<string>;
  /** Whether the documents table has the `is_listable` column (a table built before it reads each document). */
  listable: boolean;
  /** The FTS table's columns, in order (only needed with text). */
  ftsColumns: readonly string[];
}

/** The matches of a plan: FROM, the WHERE conditions with their parameters, the relevance order. */
export interface MatchQuery {
  from: string;
  where: string[];
  params: unknown[];
  /** ORDER BY of relevance: bm25 over the text match, else the id. */
  relevance: string;
  /** Whether a text match drives (the searcher pages it by relevance itself). */
  text: boolean;
}

/** A sort's ORDER BY, with the join or the selected column that gives its key. */
export interface SortClause {
  order: string;
  join?: string;
  select?: string;
}

/** Where a search's facets are counted: the matches (`m`), and the tables of the live index. */
export interface Counted {
  indexed: ReadonlySet<string>;
  facetTable: string;
  table: string;
  matches: string;
  everything: boolean;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Below this many matches, a sort key of the facet table is read by one index seek per match;
 * beyond, one grouped pass over the field (about 50 ms at 100k products) costs less.
 */
export const SEEK_SORT_MATCHES = 20_000;

/** `expr` in any of the bounds, as SQL with its parameters (bounds with neither end match every value). */
export function inAnyOf(expr: string, list: readonly Bounds[]): { sql: string; params: number[] } {
  const params: number[] = [];
  const alternatives = list.map((b) => {
    const ops = comparisons(b);
    params.push(...ops.map((c) => c.value));
    return ops.length ? ops.map((c) => `${expr} ${c.op} ?`).join(' AND ') : `${expr} IS NOT NULL`;
  });
  return { sql: alternatives.length ? `((${alternatives.join(') OR (')}))` : '0', params };
}

/** The matches of a plan, or null when its text cannot match anything here (no searchable word, or none of the searched columns). */
export function matchQuery(plan: SearchPlan, profile: SearchProfile, facts: TableFacts): MatchQuery | null {
  const tables = tablesOf(facts.name);
  const t = quote(tables.docs);
  const f = quote(tables.fts);
  const facetTable = quote(tables.facets);
  const { indexed } = facts;
  const where: string[] = [];
  const params: unknown[] = [];
  let from = `${t} t`;
  let relevance = 't.num_id';
  const { text } = plan;
  if (text !== null) {
    const any = ftsAnyOf(plan.variants);
    if (!any) return null;
    // The searched columns filter the match, and every column gets its weight, by position, for bm25.
    const present = facts.ftsColumns;
    const wanted = new Map(searchFields(profile, plan.locale).map((s) => [ftsColumn(s.field), s.weight]));
    const searched = present.filter((c) => wanted.has(c));
    if (searched.length === 0) return null;
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
    where.push(facts.listable ? `${column('is_listable')} = ?` : `json_extract(t.doc, '$.is_listable') = ?`);
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
  for (const { field, bounds } of plan.ranges) {
    if (field === 'price') {
      const c = inAnyOf(column('price'), bounds);
      where.push(c.sql);
      params.push(...c.params);
    } else if (indexed.has(field)) {
      const c = inAnyOf('num', bounds);
      where.push(`t.num_id IN (SELECT num_id FROM ${facetTable} WHERE field = ? AND num IS NOT NULL AND ${c.sql})`);
      params.push(field, ...c.params);
    } else {
      const c = inAnyOf('j.value', bounds);
      where.push(`EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real') AND ${c.sql})`);
      params.push(jsonPath(field), ...c.params);
    }
  }
  return { from, where, params, relevance, text: text !== null };
}

/**
 * The ORDER BY of a sort, and what gives its key. A field of the facet table is keyed, for a few
 * matches, by one index seek each (`_sort`, `_doc`); for many, by one grouped pass over that
 * field's rows (of several values the lowest ascending, the highest descending, as Elasticsearch
 * sorts), joined to the documents: never a walk over the field per document.
 */
export function sortClause(plan: SearchPlan, profile: SearchProfile, facts: TableFacts, matches: number): SortClause | null {
  const { sort } = plan;
  if (!sort) return null;
  const facetTable = quote(tablesOf(facts.name).facets);
  const dir = sort.desc ? ' DESC' : '';
  const by = (key: string) => `${key} IS NULL, ${key}${dir}, t.num_id`;
  if (sort.field === 'price') return { order: by('t.price') };
  if (!facts.indexed.has(sort.field)) return { order: by(`json_extract(t.doc, ${literal(jsonPath(sort.field))})`) };
  const column = fieldType(profile, sort.field) === 'number' ? 'num' : 'value';
  const pick = sort.desc ? 'max' : 'min';
  if (matches < SEEK_SORT_MATCHES) {
    const key = `(SELECT ${pick}(v.${column}) FROM ${facetTable} v WHERE v.field = ${literal(sort.field)} AND v.num_id = t.num_id)`;
    return { order: by('feeder_k'), select: `, ${key} AS feeder_k` };
  }
  const join = `LEFT JOIN (SELECT num_id, ${pick}(${column}) AS k FROM ${facetTable} WHERE field = ${literal(sort.field)} AND num_id > 0 GROUP BY num_id) s ON s.num_id = t.num_id`;
  return { order: by('s.k'), join };
}

/** The lowest and highest value of a numeric field among the matches: the price column, the facet table, or each document's JSON. */
export function rangeStatement(field: string, c: Counted): Statement {
  if (field === 'price')
    return { sql: `SELECT min(t.price) AS min, max(t.price) AS max FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id`, params: [] };
  if (c.indexed.has(field)) {
    return {
      sql: `SELECT min(v.num) AS min, max(v.num) AS max FROM ${c.matches} CROSS JOIN ${c.facetTable} v ON v.num_id = m.num_id AND v.field = ?`,
      params: [field],
    };
  }
  return {
    sql: `SELECT min(j.value) AS min, max(j.value) AS max FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id JOIN json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real')`,
    params: [jsonPath(field)],
  };
}

/** How many matches have a value in each bucket (`b0`, `b1`, …), in one pass over the matches. */
export function bucketsStatement(field: string, list: readonly Bounds[], c: Counted): Statement {
  const each = list.map((b) => inAnyOf(field === 'price' ? 't.price' : c.indexed.has(field) ? 'v.num' : 'j.value', [b]));
  const params = each.flatMap((e) => e.params);
  if (field === 'price') {
    const sums = each.map((e, i) => `sum(${e.sql}) AS b${i}`).join(', ');
    return { sql: `SELECT ${sums} FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id`, params };
  }
  const counts = each.map((e, i) => `count(DISTINCT CASE WHEN ${e.sql} THEN m.num_id END) AS b${i}`).join(', ');
  return c.indexed.has(field)
    ? {
        sql: `SELECT ${counts} FROM ${c.matches} CROSS JOIN ${c.facetTable} v ON v.num_id = m.num_id AND v.field = ? AND v.num IS NOT NULL`,
        params: [...params, field],
      }
    : {
        sql: `SELECT ${counts} FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id JOIN json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real')`,
        params: [...params, jsonPath(field)],
      };
}

/** A field's values among the matches with their counts (`v`, `n`), most frequent first: the facet table (all of it when everything matches), or each document's JSON. */
export function valuesStatement(field: string, c: Counted, size: number): Statement {
  if (c.indexed.has(field) && c.everything) {
    return {
      sql: `SELECT value AS v, count(*) AS n FROM ${c.facetTable} WHERE field = ? AND num_id > 0 GROUP BY value ORDER BY n DESC, v LIMIT ?`,
      params: [field, size],
    };
  }
  if (c.indexed.has(field)) {
    return {
      sql: `SELECT v.value AS v, count(*) AS n FROM ${c.matches} CROSS JOIN ${c.facetTable} v ON v.num_id = m.num_id AND v.field = ? GROUP BY v.value ORDER BY n DESC, v LIMIT ?`,
      params: [field, size],
    };
  }
  return {
    sql: `SELECT ${FACET_VALUE} AS v, count(DISTINCT t.num_id) AS n FROM ${c.matches} CROSS JOIN ${c.table} t ON t.num_id = m.num_id JOIN json_each(t.doc, ?) j GROUP BY v ORDER BY n DESC, v LIMIT ?`,
    params: [jsonPath(field), size],
  };
}
