import fs from 'node:fs';
import path from 'node:path';
import { Piscina } from 'piscina';
import { SearchTimeoutError, SinkError } from '../../errors';
import type { SearchProfile } from '../../profile/schema';
import type { IndexSearcher, SearchQuery, SearchResult } from '../types';
import type { SearchThreadData } from './worker';

export interface SearchPoolOptions {
  file: string;
  indexName: string;
  profile: SearchProfile;
  /** Search threads (SEARCH_THREADS): searches answered at once. */
  threads: number;
  /** The most one search may take, its wait for a thread included (SEARCH_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * The embedded index's searches for `serve`, in worker threads with read-only connections: the
 * event loop (health checks, metrics, other searches) never waits for SQLite, and searches run
 * side by side. A search that outlives its time budget is stopped (its thread is ended and
 * replaced) and fails with SearchTimeoutError, which the API answers 503.
 */
export class SqliteSearchPool implements IndexSearcher {
  private readonly pool: Piscina;

  constructor(private readonly opts: SearchPoolOptions) {
    const workerData: SearchThreadData = { file: opts.file, indexName: opts.indexName, profile: opts.profile };
    this.pool = new Piscina({
      filename: workerFile(),
      workerData,
      minThreads: opts.threads,
      maxThreads: opts.threads,
      idleTimeout: Infinity,
      // Searches queued beyond this are refused at once (503) instead of waiting out their budget.
      maxQueue: opts.threads * 64,
    });
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      return (await this.pool.run(q, { name: 'search', signal })) as SearchResult;
    } catch (err) {
      if (signal.aborted) throw new SearchTimeoutError(this.opts.timeoutMs);
      throw new SinkError(`the embedded index could not search: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The compiled thread script: beside this file, or under dist/ when this file runs from source (the tests). */
function workerFile(): string {
  const beside = path.join(__dirname, 'worker.js');
  if (fs.existsSync(beside)) return beside;
  return path.resolve(__dirname, '../../../dist/sink/sqlite/worker.js');
}
