import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DwhHttp } from '../source/http';
import type { RunSummary } from '../sync/summary';

/**
 * Prometheus metrics of `feeder serve`. Labels carry kinds and statuses only: never URLs with
 * query strings, never credentials.
 */
export class FeederMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({
    name: 'feeder_runs_total',
    help: 'Runs by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly documents = new Counter({
    name: 'feeder_documents_total',
    help: 'Product documents by run kind and result (written, unchanged, deleted, rejected)',
    labelNames: ['kind', 'result'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'feeder_run_duration_seconds',
    help: 'Run wall time',
    labelNames: ['kind'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'feeder_source_requests_total',
    help: 'Data Warehouse API requests by HTTP status (error: no response)',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'feeder_source_retries_total',
    help: 'Data Warehouse API requests retried, by reason (an HTTP status, network, body, malformed)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly quarantined = new Gauge({ name: 'feeder_quarantined_records', help: 'Records in quarantine', registers: [this.registry] });
  readonly lag = new Gauge({
    name: 'feeder_lag_seconds',
    help: 'Age of the oldest watermark: how far behind the source the index may be',
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'feeder_last_success_timestamp_seconds',
    help: 'When a run last succeeded (Unix time); NaN until one has: alert on its age, and on NaN',
    registers: [this.registry],
  });
  readonly pending = new Gauge({ name: 'feeder_pending_documents', help: 'Documents waiting to be rewritten', registers: [this.registry] });

  private readonly repairs = new Counter({
    name: 'feeder_reconcile_repairs_total',
    help: 'Documents reconcile found wrong in the live index and repaired, by what was wrong (missing, stale, stray); above zero is a bug signal',
    labelNames: ['problem'],
    registers: [this.registry],
  });

  /** Latency of `serve`'s HTTP endpoints, by endpoint (a route name, never a URL) and status code. */
  readonly http = new Histogram({
    name: 'feeder_http_request_duration_seconds',
    help: 'HTTP request latency of serve, by endpoint (search, autocomplete, healthz, metrics, sync, rebuild, other) and status',
    labelNames: ['endpoint', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Embedded search results answered from memory (hit) or searched (miss). */
  readonly searchCache = new Counter({
    name: 'feeder_search_cache_lookups_total',
    help: 'Embedded index searches by result cache outcome (hit: answered from memory; miss: searched)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly searchCacheBytes = new Gauge({
    name: 'feeder_search_cache_bytes',
    help: 'Memory held by cached embedded search results (their JSON size); capped by SEARCH_CACHE_MAX_BYTES',
    registers: [this.registry],
  });
  /** Admin requests refused for a missing or wrong bearer token. */
  readonly adminRefused = new Counter({
    name: 'feeder_admin_auth_failures_total',
    help: 'Admin requests refused for a missing or wrong bearer token, by endpoint',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });

  watchSource(http: DwhHttp): void {
    http.onRequest((e) => this.requests.inc({ status: e.status }));
    http.onRetry((e) => this.retries.inc({ reason: e.reason }));
  }

  recordRun(kind: string, outcome: string, summary: RunSummary | null, seconds: number): void {
    this.runs.inc({ kind, outcome });
    this.duration.observe({ kind }, seconds);
    if (!summary) return;
    for (const result of ['written', 'unchanged', 'deleted', 'rejected'] as const) this.documents.inc({ kind, result }, summary[result]);
    if (summary.kind === 'reconcile') {
      for (const [problem, key] of [
        ['missing', 'missing'],
        ['stale', 'stale'],
        ['stray', 'strays'],
      ] as const)
        this.repairs.inc({ problem }, summary[key]);
    }
  }
}
