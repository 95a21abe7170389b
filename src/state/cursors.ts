import type { StoreDb } from './db';

/** The sync's cursors: one time window per resource (its watermark) and the tombstone id (sync/cursors.ts names them). */
export class Cursors {
  constructor(private readonly db: StoreDb) {}

  get(name: string): string | null {
    return (this.db.stmt('SELECT value FROM cursors WHERE name = ?').get(name) as { value: string } | undefined)?.value ?? null;
  }
  set(name: string, value: string): void {
    this.db.stmt('INSERT OR REPLACE INTO cursors (name, value) VALUES (?, ?)').run(name, value);
  }
  all(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.db.stmt('SELECT name, value FROM cursors ORDER BY name').all() as { name: string; value: string }[]) out[r.name] = r.value;
    return out;
  }
}

/** The run state's raw records (the `meta` table): read and written only through run-state.ts, which checks them. */
export class Records {
  constructor(private readonly db: StoreDb) {}

  get(key: string): unknown {
    const r = this.db.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as unknown) : null;
  }
  set(key: string, value: unknown): void {
    if (value === null || value === undefined) this.db.stmt('DELETE FROM meta WHERE key = ?').run(key);
    else this.db.stmt('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }
}
