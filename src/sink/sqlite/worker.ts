/*
 * A search thread of `serve` (see pool.ts): its own read-only connection to the index file, so a
 * search runs beside the event loop and beside the other threads' searches.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SearchProfile } from '../../profile/schema';
import type { SearchQuery, SearchResult } from '../types';
import { SqliteSearcher } from './search';

export interface SearchThreadData {
  file: string;
  indexName: string;
  profile: SearchProfile;
}

let searcher: SqliteSearcher | null = null;

export function search(q: SearchQuery): SearchResult {
  if (!searcher) {
    const data = workerData as SearchThreadData;
    const db = new Database(data.file, { readonly: true, fileMustExist: true, timeout: 5000 });
    searcher = new SqliteSearcher(db, data.indexName, data.profile);
  }
  return searcher.search(q);
}
