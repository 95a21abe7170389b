import fs from 'node:fs';
import path from 'node:path';
import { openWalDatabase } from '../platform/sqlite';
import { Cursors, Records } from './cursors';
import { StoreDb } from './db';
import { Documents } from './documents';
import { Links } from './links';
import { Quarantine } from './quarantine';
import { Rows } from './rows';
import { RunLock, RunLog } from './runs';
import { openGenerations } from './run-state';
import { schemaSql, TABLES } from './tables';

export type { StoredRow } from './rows';
export type { RunRecord } from './runs';
export { RUN_HISTORY } from './runs';
export type { QuarantineRecord } from './quarantine';

/**
 * The embedded state store (docs/CONTRACT.md §4), one SQLite file, in parts by concern over one
 * connection that none of them hands out:
 * - `rows`: the source's rows per resource, and the joins the builder reads;
 * - `links`: product → category links;
 * - `cursors`: the watermarks; `records`: the run state's raw records (read through run-state.ts);
 * - `documents`: per index generation, document hashes and the pending set;
 * - `runs` and `lock`: the run history and the run lock;
 * - `quarantine`: records and documents kept aside with their reason.
 * All methods are synchronous (better-sqlite3); `tx()` groups them into one transaction.
 */
export class StateStore {
  readonly rows: Rows;
  readonly links: Links;
  readonly cursors: Cursors;
  readonly records: Records;
  readonly documents: Documents;
  readonly runs: RunLog;
  readonly lock: RunLock;
  readonly quarantine: Quarantine;
  private readonly db: StoreDb;

  constructor(file: string, opts: { maxBytes?: number } = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const connection = openWalDatabase(file);
    connection.pragma('synchronous = NORMAL');
    // 16 MB of page cache (default 2 MB) for the build's join reads over a large store. 64 MB bought
    // no measurable speed and cost 50 MB of peak RSS at 100k (docs/PERFORMANCE.md).
    connection.pragma('cache_size = -16384');
    connection.exec(schemaSql());
    if (opts.maxBytes) {
      const pageSize = connection.pragma('page_size', { simple: true }) as number;
      connection.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxBytes / pageSize))}`);
    }
    this.db = new StoreDb(connection);
    this.rows = new Rows(this.db);
    this.links = new Links(this.db);
    this.cursors = new Cursors(this.db);
    this.records = new Records(this.db);
    this.documents = new Documents(this.db);
    this.runs = new RunLog(this.db);
    this.lock = new RunLock(this.db);
    this.quarantine = new Quarantine(this.db);
    this.migrate();
  }

  close(): void {
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.db.tx(fn);
  }

  /**
   * Forgets everything read from a source (its rows, links, content types, cursors, quarantine and
   * pending documents) before a rebuild from another source. The generations and their hashes stay:
   * they describe what the indexes hold.
   */
  forgetSource(): void {
    for (const spec of Object.values(TABLES)) this.db.stmt(`DELETE FROM ${spec.table}`).run();
    for (const table of ['product_categories', 'content_types', 'cursors', 'quarantine', 'pending']) this.db.stmt(`DELETE FROM ${table}`).run();
  }

  /**
   * Stores written by earlier versions: locks that did not name their holder's start time, and a
   * pending set not kept per generation (it belonged to the run state's open generations: the live
   * index's, and an interrupted rebuild's).
   */
  private migrate(): void {
    if (!this.db.columns('locks').includes('started')) this.db.exec('ALTER TABLE locks ADD COLUMN started TEXT');
    if (this.db.columns('pending').includes('gen')) return;
    this.tx(() => {
      const gens = openGenerations(this);
      this.db.exec('ALTER TABLE pending RENAME TO pending_v1');
      this.db.exec(schemaSql());
      for (const gen of gens) this.db.stmt('INSERT OR IGNORE INTO pending (gen, kind, id) SELECT ?, kind, id FROM pending_v1').run(gen);
      this.db.exec('DROP TABLE pending_v1');
    });
  }
}
