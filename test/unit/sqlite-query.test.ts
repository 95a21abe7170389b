import { anyOf, within } from '../../src/sink/types';
import {
  bucketsStatement,
  matchQuery,
  rangeStatement,
  sortClause,
  valuesStatement,
  SEEK_SORT_MATCHES,
  type Counted,
  type TableFacts,
} from '../../src/sink/sqlite/query';
import { searchPlan } from '../../src/sink/plan';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import type { SearchProfile } from '../../src/profile/schema';
import type { SearchQuery } from '../../src/sink/types';
import { ftsColumns } from '../../src/sink/sqlite/schema';

/* The embedded index's query compiler without a database: the SQL and parameters each query form builds. */

const profile: SearchProfile = { ...BUILTIN_PROFILE, synonyms: { groups: [['kazak', 'süveter']], rules: [] } };
const facts: TableFacts = {
  name: 'products',
  indexed: new Set(['attributes.size', 'attributes.color', 'category_ids']),
  listable: true,
  // As a table built with this profile has them (schema.ts: ftsColumns).
  ftsColumns: ftsColumns(profile).map((c) => c.column),
};
const match = (q: SearchQuery, f = facts) => matchQuery(searchPlan(q, profile)!, profile, f);

describe('the matches', () => {
  test('no condition: every document, by id', () => {
    expect(match({})).toEqual({ from: '"products" t', where: [], params: [], relevance: 't.num_id', text: false });
  });

  test('text drives through the FTS table: every word, the last as a prefix, each synonym variant an alternative, bm25 by the profile weights', () => {
    const m = match({ text: 'mavi kazak' })!;
    expect(m.from).toBe('"products__fts" CROSS JOIN "products" t ON t.num_id = "products__fts".rowid');
    expect(m.where).toEqual(['"products__fts" MATCH ?']);
    expect(m.params).toEqual(['("mavi" AND "kazak"*) OR ("mavi" AND "suveter"*)']);
    expect(m.relevance).toBe('bm25("products__fts", 10.0, 6.0, 4.0, 2.0, 1.0), t.num_id');
  });

  test('only the searched columns of a table built with another profile; none of them: nothing matches', () => {
    const older = { ...facts, ftsColumns: ['name', 'description'] };
    expect(match({ text: 'kazak' }, older)!.params[0]).toBe('{"name"} : (("kazak"*) OR ("suveter"*))');
    expect(match({ text: 'kazak' }, { ...facts, ftsColumns: ['description'] })).toBeNull();
  });

  test('with text, status columns are joined by id (`+`), not walked by the listing index', () => {
    expect(match({ text: 'kazak', isActive: true, isListable: true })!.where.slice(1)).toEqual(['+t.is_active = ?', '+t.is_listable = ?']);
    expect(match({ isActive: false })!.where).toEqual(['t.is_active = ?']);
    expect(match({ isListable: true }, { ...facts, listable: false })!.where).toEqual(["json_extract(t.doc, '$.is_listable') = ?"]);
  });

  test('facet values through the facet table, or each document’s JSON; values and paths are parameters, never SQL', () => {
    const hostile = ["'); DROP TABLE products; --", '" OR 1=1 --'];
    const m = match({ filters: [anyOf('size', hostile), anyOf('brand', ['Acme'])] })!;
    expect(m.where).toEqual([
      't.num_id IN (SELECT num_id FROM "products__facets" WHERE field = ? AND value IN (SELECT value FROM json_each(?)))',
      expect.stringMatching(/^EXISTS \(SELECT 1 FROM json_each\(t\.doc, \?\) j WHERE .* IN \(SELECT value FROM json_each\(\?\)\)\)$/),
    ]);
    expect(m.params).toEqual(['attributes.size', JSON.stringify(hostile), '$."attributes"."brand"', '["Acme"]']);
    expect(m.where.join(' ')).not.toContain('DROP');
  });

  test('ranges: the price column, the facet table’s numbers, or the JSON; several bounds are alternatives', () => {
    const m = match({
      filters: [within('price', [{ max: 100, maxExclusive: true }, { min: 500 }]), within('size', { min: 36 }), within('weight', { max: 2 })],
    })!;
    expect(m.where).toEqual([
      '((t.price < ?) OR (t.price >= ?))',
      't.num_id IN (SELECT num_id FROM "products__facets" WHERE field = ? AND num IS NOT NULL AND ((num >= ?)))',
      "EXISTS (SELECT 1 FROM json_each(t.doc, ?) j WHERE j.type IN ('integer', 'real') AND ((j.value <= ?)))",
    ]);
    expect(m.params).toEqual([100, 500, 'attributes.size', 36, '$."attributes"."weight"', 2]);
  });

  test('typed text with no word: no plan, no statement', () => {
    expect(searchPlan({ text: '—' }, profile)).toBeNull();
  });
});

describe('sorts', () => {
  const sort = (q: SearchQuery, matches = 10) => sortClause(searchPlan(q, profile)!, profile, facts, matches);

  test('relevance has no clause; price by its column; a field outside the facet table through the JSON; missing last, then the id', () => {
    expect(sort({})).toBeNull();
    expect(sort({ sort: '-price' })).toEqual({ order: 't.price IS NULL, t.price DESC, t.num_id' });
    expect(sort({ sort: 'created_date' })!.order).toBe(`json_extract(t.doc, '$."created_date"') IS NULL, json_extract(t.doc, '$."created_date"'), t.num_id`);
  });

  test('a facet-table field: a seek per match for few matches, one grouped pass for many', () => {
    expect(sort({ sort: 'attributes.size' }, SEEK_SORT_MATCHES - 1)!.select).toContain('SELECT min(v.value) FROM "products__facets" v');
    expect(sort({ sort: '-attributes.size' }, SEEK_SORT_MATCHES)!.join).toMatch(/^LEFT JOIN \(SELECT num_id, max\(value\) AS k FROM "products__facets"/);
  });
});

describe('counting over the matches', () => {
  const c: Counted = { indexed: facts.indexed, facetTable: '"products__facets"', table: '"products"', matches: 'temp.feeder_matches m', everything: false };

  test('values: the facet table over the matches, the whole table when everything matches, else the JSON', () => {
    expect(valuesStatement('attributes.size', c, 20).params).toEqual(['attributes.size', 20]);
    expect(valuesStatement('attributes.size', { ...c, everything: true }, 20).sql).toMatch(
      /^SELECT value AS v, count\(\*\) AS n FROM "products__facets" WHERE field = \?/,
    );
    expect(valuesStatement('attributes.brand', c, 5).params).toEqual(['$."attributes"."brand"', 5]);
  });

  test('ranges and buckets: one statement each, bounds as parameters', () => {
    expect(rangeStatement('price', c)).toEqual({
      sql: 'SELECT min(t.price) AS min, max(t.price) AS max FROM temp.feeder_matches m CROSS JOIN "products" t ON t.num_id = m.num_id',
      params: [],
    });
    expect(bucketsStatement('price', [{ max: 100, maxExclusive: true }, { min: 100 }], c)).toEqual({
      sql: 'SELECT sum(((t.price < ?))) AS b0, sum(((t.price >= ?))) AS b1 FROM temp.feeder_matches m CROSS JOIN "products" t ON t.num_id = m.num_id',
      params: [100, 100],
    });
    expect(bucketsStatement('attributes.size', [{ min: 36 }], c).params).toEqual([36, 'attributes.size']);
  });
});
