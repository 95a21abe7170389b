import type { Config } from '../config/schema';
import type { SearchProfile } from '../profile/schema';
import type { RunRecord, StateStore } from '../state/store';
import { live, type IndexWriter, type IndexReader } from '../sink/types';
import { liveShape } from '../sync/source-identity';
import { healthReport, type HealthReport } from './health';
import type { Activity, RunProgress } from './activity';

/*
 * What `GET /status` answers and the console shows: the health report, the sink's counts and shape,
 * the last runs, the quarantine, and what the service is doing. No secrets: run errors are already
 * scrubbed when recorded, and no setting is echoed but MAX_LAG_SECONDS.
 */

/** The engine's side of the status: its document counts and the live index's shape, or why it could not say. */
export interface SinkStatus {
  engine: string;
  reachable: boolean;
  error: string | null;
  documents: { products: number; categories: number } | null;
  /** The search profile and transform fingerprints: the live index's (null: no index) and the configured one. */
  shape: { live: string | null; configured: string } | null;
}

export async function sinkStatus(sink: IndexWriter & IndexReader, configured: string): Promise<SinkStatus> {
  try {
    const documents = { products: await sink.count(live(sink, 'products')), categories: await sink.count(live(sink, 'categories')) };
    return { engine: sink.engine, reachable: true, error: null, documents, shape: { live: await liveShape(sink), configured } };
  } catch (err) {
    return { engine: sink.engine, reachable: false, error: (err as Error).message, documents: null, shape: null };
  }
}

export interface RunRow {
  id: number;
  kind: string;
  outcome: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  written: number | null;
  deleted: number | null;
  quarantined: number | null;
  /** A failure's reason, and its error code (`SOURCE_UNREACHABLE`), when it has one. */
  error: string | null;
  code: string | null;
}

export interface ServiceStatus extends Omit<HealthReport, 'lastRun'> {
  maxLagSeconds: number;
  startedAt: string;
  running: string | null;
  progress: RunProgress | null;
  /** `[epoch ms, lag seconds]` since the process started. */
  lagHistory: [number, number | null][];
  sink: SinkStatus;
  runs: RunRow[];
  quarantine: { count: number; records: { resource: string; key: string; reason: string; attempts: number; firstSeen: string; lastSeen: string }[] };
  /** Whether ADMIN_TOKEN is set (the actions need it). */
  admin: boolean;
  /** What the search preview offers. */
  search: {
    enabled: boolean;
    languages: string[];
    /** With the built-in sandbox as the source: its image host, which does not exist; the console draws its pictures at /console/media/sandbox/. */
    sandboxImageOrigin: string | null;
  };
}

/** Runs listed, and quarantined records listed (the count covers all). */
const RUNS = 20;
const QUARANTINE_LISTED = 100;

export async function serviceStatus(args: {
  store: StateStore;
  config: Config;
  sink: IndexWriter & IndexReader;
  fingerprint: string;
  profile: SearchProfile;
  activity: Activity;
  running: string | null;
  startedAt: string;
  searchEnabled: boolean;
  sandboxImageOrigin: string | null;
}): Promise<ServiceStatus> {
  const { store, config, activity } = args;
  const { lastRun: _last, ...health } = healthReport(store, config);
  const sink = await sinkStatus(args.sink, args.fingerprint);
  return {
    ...health,
    ok: health.ok && sink.reachable,
    reason: sink.reachable ? health.reason : `${sink.engine} unreachable: ${sink.error}`,
    maxLagSeconds: config.MAX_LAG_SECONDS,
    startedAt: args.startedAt,
    running: args.running,
    progress: activity.progress,
    lagHistory: activity.lag,
    sink,
    runs: store.runs.recent(RUNS).map(runRow),
    quarantine: {
      count: health.quarantined,
      records: store.quarantine.list(QUARANTINE_LISTED).map((r) => ({
        resource: r.resource,
        key: r.record_key,
        reason: r.reason,
        attempts: r.attempts,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      })),
    },
    admin: Boolean(config.ADMIN_TOKEN),
    search: { enabled: args.searchEnabled, languages: previewLanguages(args.profile), sandboxImageOrigin: args.sandboxImageOrigin },
  };
}

export function runRow(r: RunRecord): RunRow {
  const s = r.summary ?? {};
  const figure = (k: string): number | null => {
    const v = s[k];
    return typeof v === 'number' ? v : null;
  };
  const duration = r.finished_at ? Date.parse(r.finished_at) - Date.parse(r.started_at) : null;
  // Recorded as `message [CODE]` (sync/runs.ts).
  const coded = r.error ? /^(.*) \[([A-Z][A-Z0-9_]+)\]$/s.exec(r.error) : null;
  return {
    id: r.id,
    kind: r.kind,
    outcome: r.outcome,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: figure('durationMs') ?? duration,
    written: figure('written'),
    deleted: figure('deleted'),
    quarantined: figure('quarantined'),
    error: coded ? coded[1] : r.error,
    code: coded ? coded[2] : null,
  };
}

/** The languages the preview offers: the profile's locales and facet label languages, and the two the built-in names know. */
export function previewLanguages(profile: SearchProfile): string[] {
  const all = new Set(['tr', 'en', ...profile.locales]);
  for (const f of profile.facets) for (const l of Object.keys(f.labels)) all.add(l);
  return [...all];
}
