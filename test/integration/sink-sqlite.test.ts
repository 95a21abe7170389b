import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteSink } from '../../src/sink/sqlite';
import { live } from '../../src/sink/types';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { tempDir } from '../helpers/harness';
import { sinkContract } from './sink-contract';

sinkContract('sqlite', () => ({ env: (index) => ({ SINK: 'sqlite', INDEX_NAME: index }) }));

describe('the embedded index remembers recent searches only while the index is unchanged', () => {
  const doc = (id: number, name: string) => ({
    id: String(id),
    product_id: id,
    name,
    price: id,
    is_active: true,
    category_ids: [1],
    attributes: { size: 'M' },
  });

  test("another connection's commit and this connection's own writes are seen at once", async () => {
    const file = path.join(tempDir(), 'index.db');
    const a = new SqliteSink(file, 'products', BUILTIN_PROFILE);
    const b = new SqliteSink(file, 'products', BUILTIN_PROFILE);
    try {
      const target = await a.create('products', 1);
      await a.write(target, [doc(1, 'Mavi Kazak')]);
      await a.swap(target, { source: 'test', profile: null });
      const q = { text: 'kazak', facets: ['size'] };
      expect((await a.search(q)).total).toBe(1);
      expect(await a.search(q)).toBe(await a.search(q)); // answered from memory: the same object

      await b.write(live(b, 'products'), [doc(2, 'Yeşil Kazak')]); // another connection commits
      expect((await a.search(q)).total).toBe(2);
      expect((await a.search(q)).facets).toEqual({ size: [{ value: 'M', count: 2 }] });

      await a.delete(live(a, 'products'), ['1']); // this connection's own write
      expect((await a.search(q)).hits.map((h) => h.id)).toEqual(['2']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test('an index built before listability had a column gets it, filled from its documents, and lists as a new one does', async () => {
  const file = path.join(tempDir(), 'index.db');
  const doc = (id: number, listable: boolean) => ({
    id: String(id),
    product_id: id,
    name: `Kazak ${id}`,
    price: 100 + id,
    is_active: true,
    is_listable: listable,
  });
  const sink = new SqliteSink(file, 'products', BUILTIN_PROFILE);
  const target = await sink.create('products', 1);
  await sink.write(target, [doc(1, true), doc(2, false), doc(3, true)]);
  await sink.swap(target, { source: 'test', profile: null });
  await sink.close();
  // The earlier version's table: the same rows without the column and its index.
  const db = new Database(file);
  const index = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_listed'`).get() as { name: string }).name;
  db.exec(`DROP INDEX "${index}"; ALTER TABLE products DROP COLUMN is_listable`);
  expect(db.prepare(`SELECT count(*) AS n FROM pragma_table_info('products') WHERE name = 'is_listable'`).get()).toEqual({ n: 0 });
  db.close();

  const again = new SqliteSink(file, 'products', BUILTIN_PROFILE);
  try {
    // The first search (or `serve`'s start, `prepareSearch`) upgrades the table, then lists from the column.
    expect((await again.search({ isListable: true, isActive: true })).total).toBe(2);
    const upgraded = new Database(file, { readonly: true });
    expect(upgraded.prepare('SELECT id, is_listable FROM products ORDER BY num_id').all()).toEqual([
      { id: '1', is_listable: 1 },
      { id: '2', is_listable: 0 },
      { id: '3', is_listable: 1 },
    ]);
    upgraded.close();
    await again.write(live(again, 'products'), [doc(4, true)]);
    expect((await again.search({ isListable: true, isActive: true, limit: 10 })).hits.map((h) => h.id)).toEqual(['1', '3', '4']);
  } finally {
    await again.close();
  }
});
