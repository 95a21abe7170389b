/*
 * The embedded index's searches under `serve`: in worker threads over read-only connections, with a
 * time budget. Real SQLite files throughout.
 */
import path from 'node:path';
import { anyOf } from '../../src/sink/types';
import Database from 'better-sqlite3';
import { SqliteSearchPool, SqliteSink } from '../../src/sink/sqlite';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { SearchTimeoutError } from '../../src/errors';
import type { SinkDocument } from '../../src/sink/types';
import { tempDir } from '../helpers/harness';

const N = 20_000;

function doc(i: number): SinkDocument {
  return {
    id: String(i),
    product_id: i,
    name: `kazak ${i}`,
    price: (i * 7) % 1000,
    is_active: true,
    // A third of the products have no discount: they sort last both ways.
    discount_percentage: i % 3 ? (i * 13) % 90 : null,
    created_date: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % N) * 60_000).toISOString(),
    category_ids: [i % 10],
    attributes: { size: String(i % 7) },
  };
}

/** The order the contract gives a sort (docs/CONTRACT.md §5): values ascending (or descending), missing last, ties by id. */
function expectedOrder(docs: SinkDocument[], field: string, desc: boolean): string[] {
  return [...docs]
    .sort((a, b) => {
      const x = a[field] as number | string | null;
      const y = b[field] as number | string | null;
      if (x === null || y === null) return x === y ? Number(a.id) - Number(b.id) : x === null ? 1 : -1;
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
      return Number(a.id) - Number(b.id);
    })
    .map((d) => String(d.id));
}

describe('the embedded index searched by serve’s search threads', () => {
  let file: string;
  let docs: SinkDocument[];

  beforeAll(async () => {
    file = path.join(tempDir(), 'index.db');
    const sink = new SqliteSink(file, 'products', BUILTIN_PROFILE);
    const target = await sink.create('products', 1);
    docs = Array.from({ length: N }, (_, i) => doc(i + 1));
    for (let i = 0; i < N; i += 5000) await sink.write(target, docs.slice(i, i + 5000));
    await sink.swap(target, { source: 'test', profile: null });
    await sink.close();
  }, 120_000);

  test('every sortable field sorts 20,000 products in order, page 2 included, within a 2 s budget', async () => {
    // The numeric sort took 37 s at 20k products (a primary-key walk per document): with a 2 s budget
    // it failed with SearchTimeoutError before its fix.
    const pool = new SqliteSearchPool({ file, indexName: 'products', profile: BUILTIN_PROFILE, threads: 2, timeoutMs: 2000 });
    try {
      for (const sort of ['discount_percentage', '-discount_percentage', 'created_date', '-created_date', 'price', '-price']) {
        const desc = sort.startsWith('-');
        const field = sort.replace(/^-/, '');
        const page = await pool.search({ sort, limit: 24, offset: 24 });
        expect({ sort, total: page.total, ids: page.hits.map((h) => String(h.id)) }).toEqual({
          sort,
          total: N,
          ids: expectedOrder(docs, field, desc).slice(24, 48),
        });
        const narrowed = await pool.search({ sort, limit: 10, filters: [anyOf('size', ['3'])], text: 'kazak' });
        const within = docs.filter((d) => (d.attributes as { size: string }).size === '3');
        expect({ sort, ids: narrowed.hits.map((h) => String(h.id)) }).toEqual({ sort, ids: expectedOrder(within, field, desc).slice(0, 10) });
      }
    } finally {
      await pool.close();
    }
  }, 120_000);

  test('a search that outlives its budget answers SearchTimeoutError while the event loop runs on, and the next search is answered', async () => {
    // The fault: the index file locked by another process's exclusive transaction (a rollback
    // journal, so readers must wait), which holds a search for as long as the lock is held.
    const locked = path.join(tempDir(), 'locked.db');
    const sink = new SqliteSink(locked, 'products', BUILTIN_PROFILE);
    const target = await sink.create('products', 1);
    await sink.write(target, docs.slice(0, 100));
    await sink.swap(target, { source: 'test', profile: null });
    await sink.close();
    const holder = new Database(locked);
    holder.pragma('journal_mode = DELETE');
    const pool = new SqliteSearchPool({ file: locked, indexName: 'products', profile: BUILTIN_PROFILE, threads: 1, timeoutMs: 1000 });
    try {
      holder.exec('BEGIN EXCLUSIVE');
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const started = Date.now();
      await expect(pool.search({ text: 'kazak' })).rejects.toBeInstanceOf(SearchTimeoutError);
      clearInterval(timer);
      // The fault happened: the search waited out its whole budget, and the event loop kept turning.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(ticks).toBeGreaterThan(5);
      holder.exec('COMMIT');
      // The stopped search's thread was replaced: the pool answers again once the file is free.
      expect((await pool.search({ text: 'kazak 5' })).total).toBeGreaterThan(0);
    } finally {
      holder.close();
      await pool.close();
    }
  }, 60_000);
});
