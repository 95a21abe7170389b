import { timingSafeEqual } from 'node:crypto';
import type { RunContext } from '../sync/context';
import type { Activity } from './activity';
import { healthReport, type HealthReport } from './health';
import type { OperatorHandlers } from './http';
import type { FeederMetrics } from './metrics';
import type { Runner } from './runner';
import type { ServiceStatus } from './status';

/*
 * What the operator's endpoints do (the routes are in http.ts): health, metrics, runs on request,
 * the quarantine, and the status the console shows. Admin actions need ADMIN_TOKEN as a bearer
 * token, compared in constant time.
 */

export interface OperatorDesk {
  ctx: RunContext;
  metrics: FeederMetrics;
  activity: Activity;
  runner: Runner;
  /** The status, shared by one second's requests. */
  status(): Promise<ServiceStatus>;
  /** Forget the shared status: something it shows changed. */
  statusChanged(): void;
  /** Bytes the search result cache holds. */
  cacheBytes(): number;
}

/** The health report of the state store (lag, last success, quarantine, pending). */
export function reportOf(ctx: RunContext): HealthReport {
  return healthReport(ctx.store, ctx.config);
}

export function operatorHandlers(desk: OperatorDesk): OperatorHandlers {
  const { ctx, metrics, runner } = desk;
  const token = ctx.config.ADMIN_TOKEN;
  return {
    adminToken: token,
    tokenMatches: (header) => token !== undefined && bearerMatches(header, token),
    health: () => {
      const report = reportOf(ctx);
      return { status: report.ok ? 200 : 503, body: { ...report, running: runner.running } };
    },
    metrics: async () => {
      const report = reportOf(ctx);
      // Unknown until a run has succeeded: NaN, never a reassuring 0.
      metrics.lag.set(report.lagSeconds ?? NaN);
      const lastSuccess = ctx.store.runs.lastSuccessAt();
      metrics.lastSuccess.set(lastSuccess ? Date.parse(lastSuccess) / 1000 : NaN);
      metrics.quarantined.set(report.quarantined);
      metrics.pending.set(report.pending);
      metrics.searchCacheBytes.set(desk.cacheBytes());
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
    run: (kind, query) => {
      const allowShrink = kind === 'rebuild' && query.get('allow_shrink') === 'true';
      const { started } = runner.trigger(kind, 'request', { allowShrink });
      return started ? { status: 202, body: { started: kind } } : { status: 409, body: { error: `a ${runner.running ?? 'run'} is in flight` } };
    },
    purgeQuarantine: (resource) => {
      const removed = ctx.store.quarantine.purge(resource);
      desk.statusChanged();
      ctx.log.info({ resource: resource ?? null, removed }, 'quarantine purged by request');
      return { removed };
    },
    status: () => desk.status(),
    activity: desk.activity,
  };
}

/** Whether an Authorization header carries `token` as a bearer token (constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  // The scheme is case-insensitive (RFC 9110 section 11.1): `bearer` and `Bearer` both work.
  const given = Buffer.from(/^bearer\s+/i.exec(header ?? '') ? header!.replace(/^bearer\s+/i, '') : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
