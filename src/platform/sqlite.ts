import Database from 'better-sqlite3';

/** How long opening waits for another process that holds the file (the same as its busy timeout). */
const BUSY_MS = 10_000;

/**
 * A SQLite file opened for this process in WAL mode, with a busy timeout.
 *
 * Two processes starting together on a new file (two feeders, a CLI beside `serve`) both switch it
 * to WAL; SQLite answers the loser with SQLITE_BUSY at once, without calling the busy handler,
 * while the winner converts the file. The switch is retried until it succeeds or the busy timeout
 * has passed, so a start beside another is never mistaken for an unopenable path.
 */
export function openWalDatabase(file: string): Database.Database {
  const db = new Database(file, { timeout: BUSY_MS });
  const deadline = Date.now() + BUSY_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      db.pragma('journal_mode = WAL');
      return db;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) {
        db.close();
        throw err;
      }
      // Synchronous on purpose: a constructor opening a file, waiting for another process's few milliseconds.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
}
