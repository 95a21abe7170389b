import type { IndexSearcher, SearchQuery, SearchResult } from './types';

export interface ResultCacheOptions {
  /** The most bytes of results (their JSON size) kept; the least recently used go first. */
  maxBytes: number;
  /**
   * What the index looks like now: any change of it (a commit by anyone) forgets every result. Asked
   * before each search and again after it, so a result read across a change is not kept.
   */
  version: () => string | number;
  /** Told of each lookup (for `/metrics`). */
  onLookup?: (hit: boolean) => void;
  /**
   * Keeps a page's facet counts apart from its hits: the counts of a listing do not depend on its
   * page or its sort, so the next page, or the same listing sorted otherwise, asks only for hits.
   */
  splitCounts?: boolean;
}

/**
 * Recent search results of an index, valid until it changes: a storefront asks the same listing
 * pages again and again, and counting facets over tens of thousands of matches is the costly part.
 * Capped by bytes, not entries: 256 pages of 250 documents are half a gigabyte, 256 autocompletes
 * are nothing.
 */
export class CachedSearcher implements IndexSearcher {
  private readonly results = new Map<string, { result: SearchResult; bytes: number }>();
  private bytes = 0;
  private seen: string | number | undefined;

  constructor(
    private readonly inner: IndexSearcher,
    private readonly opts: ResultCacheOptions,
  ) {}

  async search(q: SearchQuery): Promise<SearchResult> {
    // An explained search shows what the engine is asked: never an answer remembered from before.
    if (q.explain) return this.inner.search(q);
    const counts = Boolean(q.facets?.length || q.stats?.length || q.buckets);
    if (!this.opts.splitCounts || !counts || (q.limit ?? 10) === 0) return this.lookup(q);
    const [page, counted] = await Promise.all([
      this.lookup({ ...q, facets: undefined, stats: undefined, buckets: undefined, facetSize: undefined }),
      this.lookup({ ...q, limit: 0, offset: undefined, sort: undefined }),
    ]);
    const { facets, ranges, buckets } = counted;
    return { total: page.total, hits: page.hits, ...(facets ? { facets } : {}), ...(ranges ? { ranges } : {}), ...(buckets ? { buckets } : {}) };
  }

  private async lookup(q: SearchQuery): Promise<SearchResult> {
    const before = this.current();
    const key = JSON.stringify(q);
    const cached = this.results.get(key);
    this.opts.onLookup?.(cached !== undefined);
    if (cached) {
      // Most recently used last: the oldest entry is the first to go.
      this.results.delete(key);
      this.results.set(key, cached);
      return cached.result;
    }
    const result = await this.inner.search(q);
    if (this.current() === before) this.keep(key, result);
    return result;
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  clear(): void {
    this.results.clear();
    this.bytes = 0;
  }

  private current(): string | number {
    const version = this.opts.version();
    if (version !== this.seen) {
      this.clear();
      this.seen = version;
    }
    return version;
  }

  private keep(key: string, result: SearchResult): void {
    const bytes = key.length + Buffer.byteLength(JSON.stringify(result));
    if (bytes > this.opts.maxBytes || this.results.has(key)) return;
    this.results.set(key, { result, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.results) {
      if (this.bytes <= this.opts.maxBytes) break;
      this.results.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}
