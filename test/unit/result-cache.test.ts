import { CachedSearcher } from '../../src/sink/cache';
import { anyOf } from '../../src/sink/types';
import type { IndexSearcher, SearchQuery, SearchResult } from '../../src/sink/types';

/** A searcher at the seam: a page of `size` documents of about 1 KB each, counting the searches that reach it. */
function pages(): IndexSearcher & { searched: number } {
  const inner = {
    searched: 0,
    async search(q: SearchQuery): Promise<SearchResult> {
      inner.searched++;
      const hits = Array.from({ length: q.limit ?? 10 }, (_, i) => ({ id: String(i), name: `${q.text ?? ''} ${'x'.repeat(1000)}` }));
      return { total: hits.length, hits };
    },
  };
  return inner;
}

describe('the embedded result cache', () => {
  test('is capped by bytes: distinct 250-document pages never hold more than the cap', async () => {
    const inner = pages();
    const cap = 2 * 1024 * 1024;
    const cache = new CachedSearcher(inner, { maxBytes: cap, version: () => 1 });
    for (let i = 0; i < 40; i++) await cache.search({ text: `word${i}`, limit: 250 });
    // 40 pages of ~260 KB each would be ~10 MB; an entry cap of 256 would have kept them all.
    expect(inner.searched).toBe(40);
    expect(cache.size).toBeGreaterThan(cap / 2);
    expect(cache.size).toBeLessThanOrEqual(cap);
    // The most recent pages are kept, the oldest went first.
    await cache.search({ text: 'word39', limit: 250 });
    expect(inner.searched).toBe(40);
    await cache.search({ text: 'word0', limit: 250 });
    expect(inner.searched).toBe(41);
  });

  test('counts hits and misses, and forgets everything when the index changes', async () => {
    const inner = pages();
    let version = 1;
    const lookups: boolean[] = [];
    const cache = new CachedSearcher(inner, { maxBytes: 1 << 20, version: () => version, onLookup: (hit) => lookups.push(hit) });
    const q = { text: 'kazak', limit: 5 };
    const first = await cache.search(q);
    expect(await cache.search(q)).toBe(first);
    version = 2;
    expect(await cache.search(q)).not.toBe(first);
    expect(lookups).toEqual([false, true, false]);
  });

  test('a result larger than the whole cap is answered, not kept', async () => {
    const inner = pages();
    const cache = new CachedSearcher(inner, { maxBytes: 10_000, version: () => 1 });
    await cache.search({ limit: 250 });
    await cache.search({ limit: 250 });
    expect(inner.searched).toBe(2);
    expect(cache.size).toBe(0);
  });

  test('with counts kept apart, the next page or another sort of a listing asks for its hits only', async () => {
    const asked: SearchQuery[] = [];
    const inner: IndexSearcher = {
      async search(q) {
        asked.push(q);
        return {
          total: 30,
          hits: Array.from({ length: q.limit ?? 10 }, (_, i) => ({ id: String((q.offset ?? 0) + i) })),
          ...(q.facets ? { facets: { size: [{ value: 'M', count: 30 }] } } : {}),
        };
      },
    };
    const cache = new CachedSearcher(inner, { maxBytes: 1 << 20, version: () => 1, splitCounts: true });
    const listing = { filters: [anyOf('category_ids', [3])], facets: ['size'], limit: 10 };
    const first = await cache.search({ ...listing, sort: 'price' });
    expect(first.total).toBe(30);
    expect(first.hits).toHaveLength(10);
    expect(first.facets).toEqual({ size: [{ value: 'M', count: 30 }] });
    expect(asked.map((q) => [q.limit, q.facets ?? null])).toEqual([
      [10, null],
      [0, ['size']],
    ]);
    const second = await cache.search({ ...listing, sort: '-price', offset: 10 });
    expect(second.facets).toEqual(first.facets);
    expect(second.hits[0].id).toBe('10');
    // One more search: the hits of page two; the counts came from the cache.
    expect(asked).toHaveLength(3);
    expect(asked[2]).toMatchObject({ limit: 10, offset: 10, sort: '-price' });
  });
});
