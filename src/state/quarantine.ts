import type { InvalidRecord } from '../source/source';
import type { StoreDb } from './db';

export interface QuarantineRecord {
  resource: string;
  record_key: string;
  reason: string;
  raw: unknown;
  first_seen: string;
  last_seen: string;
  attempts: number;
}

const nowIso = () => new Date().toISOString();

/** Records that failed validation, and documents the sink refused, each with its reason, until fixed or purged. */
export class Quarantine {
  constructor(private readonly db: StoreDb) {}

  add(rec: InvalidRecord): void {
    const now = nowIso();
    this.db
      .stmt(
        `INSERT INTO quarantine (resource, record_key, reason, raw, first_seen, last_seen, attempts) VALUES (?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (resource, record_key) DO UPDATE SET reason = excluded.reason, raw = excluded.raw, last_seen = excluded.last_seen, attempts = attempts + 1`,
      )
      .run(rec.resource, rec.key, rec.reason, JSON.stringify(rec.raw) ?? 'null', now, now);
  }
  release(resource: string, key: string): boolean {
    return this.db.stmt('DELETE FROM quarantine WHERE resource = ? AND record_key = ?').run(resource, key).changes > 0;
  }
  list(limit = 1000): QuarantineRecord[] {
    return (
      this.db.stmt('SELECT * FROM quarantine ORDER BY resource, last_seen DESC LIMIT ?').all(limit) as (Omit<QuarantineRecord, 'raw'> & { raw: string })[]
    ).map((r) => ({ ...r, raw: JSON.parse(r.raw) as unknown }));
  }
  /**
   * Quarantined source records to fetch again, least recently seen first: a record retried (and
   * still broken) moves to the back, so every record gets its turn however many stay broken.
   */
  forRetry(resources: readonly string[], limit: number): QuarantineRecord[] {
    return (
      this.db
        .stmt(
          "SELECT * FROM quarantine WHERE resource IN (SELECT value FROM json_each(?)) AND record_key NOT GLOB '*[^0-9]*' ORDER BY last_seen, resource, record_key LIMIT ?",
        )
        .all(JSON.stringify(resources), limit) as (Omit<QuarantineRecord, 'raw'> & { raw: string })[]
    ).map((r) => ({ ...r, raw: JSON.parse(r.raw) as unknown }));
  }

  count(resource?: string): number {
    if (resource !== undefined) return (this.db.stmt('SELECT count(*) AS n FROM quarantine WHERE resource = ?').get(resource) as { n: number }).n;
    return (this.db.stmt('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n;
  }
  purge(resource?: string): number {
    return resource ? this.db.stmt('DELETE FROM quarantine WHERE resource = ?').run(resource).changes : this.db.stmt('DELETE FROM quarantine').run().changes;
  }
}
