import type { Logger } from 'pino';
import type { Config } from '../config/schema';
import type { Sink } from '../sink/types';
import type { Source } from '../source/source';
import type { StateStore } from '../state/store';
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
