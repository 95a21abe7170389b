import os from 'node:os';
import { z } from 'zod';
import { LockBusyError } from '../errors';
import { processAlive, processStart } from '../platform/process';
import type { StoreDb } from './db';

export interface RunRecord {
  id: number;
  kind: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  /** The figures the run recorded (sync/summary.ts), by name; null while it runs, or if what was stored is not such a record. */
  summary: RecordedSummary | null;
  error: string | null;
}

/** A run summary as stored: its kind and figures (numbers), by name. */
const recordedSummary = z.record(z.string(), z.union([z.number(), z.string()]));
export type RecordedSummary = z.infer<typeof recordedSummary>;

/**
 * A stored summary read back. One that is not such a record (a hand-edited store, a future
 * version's shape) lists its run without figures rather than failing the whole status page.
 */
function readSummary(text: string | null): RecordedSummary | null {
  if (text === null) return null;
  try {
    const parsed = recordedSummary.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Runs the history keeps (about a day of syncs every 10 s). */
export const RUN_HISTORY = 10_000;

const nowIso = () => new Date().toISOString();

/** The run history: each run's kind, outcome, figures and error. */
export class RunLog {
  constructor(private readonly db: StoreDb) {}

  start(kind: string): number {
    return Number(this.db.stmt("INSERT INTO runs (kind, started_at, outcome) VALUES (?, ?, 'running')").run(kind, nowIso()).lastInsertRowid);
  }
  finish(id: number, outcome: 'succeeded' | 'failed' | 'stopped', summary: object, error?: string): void {
    this.db
      .stmt('UPDATE runs SET finished_at = ?, outcome = ?, summary = ?, error = ? WHERE id = ?')
      .run(nowIso(), outcome, JSON.stringify(summary), error ?? null, id);
    // A sync every 10 s is 8,640 runs a day: the history keeps the latest RUN_HISTORY, and always
    // each kind's last success (what /metrics and `status` report).
    this.db.stmt(`DELETE FROM runs WHERE id <= ? - ${RUN_HISTORY} AND id NOT IN (SELECT max(id) FROM runs WHERE outcome = 'succeeded' GROUP BY kind)`).run(id);
  }
  recent(limit = 10): RunRecord[] {
    return (this.db.stmt('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as (Omit<RunRecord, 'summary'> & { summary: string | null })[]).map((r) => ({
      ...r,
      summary: readSummary(r.summary),
    }));
  }
  /** When a run last succeeded (ISO), or null if none ever did. */
  lastSuccessAt(): string | null {
    return (this.db.stmt("SELECT max(finished_at) AS at FROM runs WHERE outcome = 'succeeded'").get() as { at: string | null }).at;
  }

  lastFinished(): RunRecord | null {
    return this.recent(20).find((r) => r.outcome !== 'running') ?? null;
  }
}

/** The run lock: one run at a time over a state store, across processes and hosts. */
export class RunLock {
  constructor(private readonly db: StoreDb) {}

  /**
   * Takes lock `name` for `ttlMs`. A lock whose holder's expiry passed, or whose holder process on
   * this host is gone (killed, crashed; its pid now another process's, or nobody's), is stale and
   * taken over.
   */
  acquire(name: string, holder: string, ttlMs: number): void {
    this.db.immediate(() => {
      const cur = this.holder(name);
      const now = Date.now();
      if (cur && cur.holder !== holder && cur.expiresAt > now && cur.alive) {
        throw new LockBusyError(name, cur.holder, new Date(cur.expiresAt).toISOString());
      }
      this.db
        .stmt('INSERT OR REPLACE INTO locks (name, holder, pid, host, expires_at, started) VALUES (?, ?, ?, ?, ?, ?)')
        .run(name, holder, process.pid, os.hostname(), now + ttlMs, processStart(process.pid));
    });
  }
  renew(name: string, holder: string, ttlMs: number): boolean {
    return this.db.stmt('UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?').run(Date.now() + ttlMs, name, holder).changes > 0;
  }
  /** Who holds lock `name`, and whether that process may still be alive (on another host it may be: only its expiry tells). */
  holder(name: string): { holder: string; pid: number; host: string; expiresAt: number; alive: boolean } | null {
    const cur = this.db.stmt('SELECT holder, pid, host, expires_at, started FROM locks WHERE name = ?').get(name) as
      { holder: string; pid: number; host: string; expires_at: number; started: string | null } | undefined;
    if (!cur) return null;
    const alive = cur.host !== os.hostname() || processAlive(cur.pid, cur.started);
    return { holder: cur.holder, pid: cur.pid, host: cur.host, expiresAt: cur.expires_at, alive };
  }

  release(name: string, holder: string): void {
    this.db.stmt('DELETE FROM locks WHERE name = ? AND holder = ?').run(name, holder);
  }
}
