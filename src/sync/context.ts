import type { Logger } from 'pino';
import type { Config } from '../config/schema';
import type { Sink } from '../sink/types';
import type { Source } from '../source/source';
import type { StateStore } from '../state/store';
import type { BuildOptions } from '../document/types';
import type { Shape } from '../profile/load';

/** What every run works with, wired once by the composition root (wiring/runtime.ts). */
export interface Wiring {
  readonly config: Config;
  readonly store: StateStore;
  readonly source: Source;
  readonly sink: Sink;
  readonly log: Logger;
  /** Which catalog feeds the index (no secrets): the state store remembers it. */
  readonly sourceId: string;
  /** The search profile and transform that shape documents and engine settings (SEARCH_PROFILE, TRANSFORM_MODULE). */
  readonly shape: Shape;
}

/** What one run is asked by its caller, for that run only. */
export interface RunOptions {
  /** Called as a rebuild advances (the CLI's progress bar, the console's live progress). */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Shutdown (`serve`): the run stops at its next batch boundary, checkpointed. */
  readonly signal?: AbortSignal;
  /** `feeder rebuild --allow-shrink`: swap in a result smaller than REBUILD_MAX_SHRINK allows. */
  readonly allowShrink?: boolean;
}

/** One run's context: the wiring and that run's options. Nothing in it is changed while runs go on. */
export type RunContext = Wiring & RunOptions;

/** The context of one run with these options; the wiring is shared, the options are this run's. */
export function runWith(wiring: Wiring, opts: RunOptions): RunContext {
  return { ...wiring, ...opts };
}

export interface ProgressEvent {
  phase: 'crawl' | 'build' | 'catch-up' | 'swap';
  resource?: string;
  done: number;
  total?: number;
}

export function buildOptions(config: Config): BuildOptions {
  return { priceType: config.PRICE_TYPE, currency: config.CURRENCY, pathStep: config.CATEGORY_PATH_STEP };
}

/** Figures every run reports: printed as its summary line and kept in the run history. */
export interface RunFigures {
  rows: number;
  written: number;
  unchanged: number;
  deleted: number;
  rejected: number;
  quarantined: number;
  tombstones: number;
  skippedTombstones: number;
  categoriesWritten: number;
  requests: number;
  retries: number;
  durationMs: number;
}

export interface SyncSummary extends RunFigures {
  kind: 'sync';
}

export interface RebuildSummary extends RunFigures {
  kind: 'rebuild';
  /** The generation (physical index) this rebuild built. */
  gen?: number;
  /** Product documents live after the swap. */
  documents?: number;
}

export interface ReconcileSummary extends RunFigures {
  kind: 'reconcile';
  /** Product documents compared with the live index. */
  checked: number;
  /** Repairs: documents missing from the index, stale in it, or strays in it. */
  missing: number;
  stale: number;
  strays: number;
}

export type RunSummary = SyncSummary | RebuildSummary | ReconcileSummary;
export type RunKind = RunSummary['kind'];
export type SummaryOf<K extends RunKind> = Extract<RunSummary, { kind: K }>;

export function emptySummary<K extends RunKind>(kind: K): SummaryOf<K> {
  const figures: RunFigures = {
    rows: 0,
    written: 0,
    unchanged: 0,
    deleted: 0,
    rejected: 0,
    quarantined: 0,
    tombstones: 0,
    skippedTombstones: 0,
    categoriesWritten: 0,
    requests: 0,
    retries: 0,
    durationMs: 0,
  };
  const extra = kind === 'reconcile' ? { checked: 0, missing: 0, stale: 0, strays: 0 } : {};
  return { kind, ...figures, ...extra } as SummaryOf<K>;
}

export const windowCursor = (resource: string) => `window:${resource}`;
export const DELETED_CURSOR = 'deleted_items';

export function throwIfAborted(ctx: RunContext): void {
  if (ctx.signal?.aborted) throw new RunAborted();
}

/**
 * Between two batches of a build loop: yields to the event loop, then stops if shutdown was asked.
 * Over a synchronous sink (SQLite) a build loop would otherwise never yield: `/healthz` and
 * `/metrics` would go unanswered, SIGTERM unhandled and idle keep-alive sockets unclosed until
 * the whole phase ended.
 */
export async function batchBoundary(ctx: RunContext): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfAborted(ctx);
}

/**
 * Whether a run ended because of shutdown rather than a fault: it stopped at a checkpoint
 * (RunAborted), or an in-flight request was aborted by the shutdown signal.
 */
export function stoppedByShutdown(ctx: RunContext, err: unknown): boolean {
  return err instanceof RunAborted || ctx.signal?.aborted === true;
}

export class RunAborted extends Error {
  constructor() {
    super('run stopped by shutdown; progress is checkpointed');
    this.name = 'RunAborted';
  }
}

/**
 * Runs one task per item concurrently (the source client's queue caps requests in flight). When a
 * task fails, the others stop at their next page (`stopped()` turns true), and the first error is
 * thrown only once every task has settled: nothing keeps writing after the run has failed.
 */
export async function eachConcurrently<T>(items: readonly T[], task: (item: T, stopped: () => boolean) => Promise<void>): Promise<void> {
  let failed = false;
  const results = await Promise.allSettled(
    items.map((item) =>
      task(item, () => failed).catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
