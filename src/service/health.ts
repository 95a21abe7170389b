import type { Config } from '../config/schema';
import { instantMs } from '../source/instant';
import { resourceDefs } from '../source/resources';
import type { StateStore } from '../state/store';
import { windowCursor } from '../sync/cursors';
import type { RunSummary } from '../sync/summary';
import { liveGen, refusedRebuild } from '../state/run-state';

export interface HealthReport {
  ok: boolean;
  reason: string | null;
  lastRun: { kind: string; outcome: string; finishedAt: string | null; error: string | null; summary: RunSummary | null } | null;
  lagSeconds: number | null;
  watermarks: Record<string, string>;
  pending: number;
  quarantined: number;
  /** The last rebuild refused for shrinking the index; cleared by a rebuild that swaps. */
  refusedRebuild: { at: string; reason: string } | null;
}

/**
 * The facts `/healthz` and `feeder status` share. Healthy while the lag (the age of the source time
 * up to which every change is searchable: the oldest watermark less SYNC_OVERLAP_SECONDS) is below
 * MAX_LAG_SECONDS.
 */
export function healthReport(store: StateStore, config: Config, now = Date.now()): HealthReport {
  // Every resource this configuration reads must have a watermark; the oldest is the lag.
  const resources = resourceDefs(config).map((d) => d.name);
  const maxLagSeconds = config.MAX_LAG_SECONDS;
  const cursors = store.cursors.all();
  const watermarks: Record<string, string> = {};
  for (const [k, v] of Object.entries(cursors)) watermarks[k.replace(/^window:/, '')] = v;
  const marks = resources.map((r) => cursors[windowCursor(r)]).filter((v): v is string => !!v);
  const oldest = marks.length === resources.length && marks.length > 0 ? marks.reduce((a, b) => (a < b ? a : b)) : null;
  // The oldest watermark, less the overlap the next sync re-reads: before it, every change (a late
  // commit included) is searchable; after it, every change committed in time is.
  const lagSeconds = oldest ? Math.max(0, Math.round((now - instantMs(oldest)) / 1000 + config.SYNC_OVERLAP_SECONDS)) : null;
  const last = store.runs.lastFinished();
  // A failed run alone is not yet unhealthy: the index is as fresh as its watermarks. Once nothing
  // has been applied for MAX_LAG_SECONDS (source unreachable, sink down), it is.
  const refusal = refusedRebuild(store);
  let reason: string | null = null;
  if (refusal) reason = `${refusal.reason} (at ${refusal.at})`;
  else if (!last) reason = 'no run has finished yet';
  else if (lagSeconds === null) reason = last.outcome === 'failed' ? `last ${last.kind} failed: ${last.error ?? 'unknown error'}` : 'no watermark yet';
  else if (lagSeconds > maxLagSeconds) {
    const why = last.outcome === 'failed' ? `; last ${last.kind} failed: ${last.error ?? 'unknown error'}` : '';
    reason = `lag ${lagSeconds}s exceeds MAX_LAG_SECONDS=${maxLagSeconds}${why}`;
  }
  return {
    ok: reason === null,
    reason,
    lastRun: last
      ? { kind: last.kind, outcome: last.outcome, finishedAt: last.finished_at, error: last.error, summary: last.summary as RunSummary | null }
      : null,
    lagSeconds,
    watermarks,
    pending: store.documents.pendingCount(liveGen(store)),
    quarantined: store.quarantine.count(),
    refusedRebuild: refusal,
  };
}
