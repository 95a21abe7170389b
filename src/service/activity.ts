import { EventEmitter } from 'node:events';
import type { ProgressEvent } from '../sync/context';

/*
 * What `serve` is doing, as the console shows it live: the run in progress and how far it got, and
 * the lag since the process started. It only holds what a run reports (`ctx.onProgress`) and what
 * the service samples; /status and /events read it.
 */

export type ActivityKind = 'sync' | 'rebuild' | 'reconcile' | 'quarantine-retry';

export interface RunProgress {
  kind: ActivityKind;
  /** What started it: `tick`, `request`, `initial`, `resume`, `profile`. */
  why: string;
  startedAt: string;
  phase: ProgressEvent['phase'] | 'starting';
  /** Source rows crawled so far, and the source's estimate of all of them. */
  rowsCrawled: number;
  rowsTotal: number | null;
  /** Documents built and written to the new index so far, of how many. */
  documents: number;
  documentsTotal: number | null;
}

/** Lag samples kept; beyond it every other one is dropped, so the history always spans the process's life. */
const LAG_POINTS = 720;

export class Activity extends EventEmitter<{ progress: [RunProgress | null]; finished: [] }> {
  progress: RunProgress | null = null;
  /** `[epoch ms, lag seconds or null]`, oldest first. */
  readonly lag: [number, number | null][] = [];
  private lastEmit = 0;

  runStarted(kind: ActivityKind, why: string): void {
    this.progress = { kind, why, startedAt: new Date().toISOString(), phase: 'starting', rowsCrawled: 0, rowsTotal: null, documents: 0, documentsTotal: null };
    this.emit('progress', this.progress);
  }

  /** A run's progress event; listeners hear of it at most every 250 ms, and at every change of phase. */
  onProgress(e: ProgressEvent): void {
    const p = this.progress;
    if (!p) return;
    const phaseChanged = p.phase !== e.phase;
    p.phase = e.phase;
    if (e.phase === 'crawl') {
      p.rowsCrawled = e.done;
      p.rowsTotal = e.total ?? null;
    } else if (e.phase === 'build') {
      p.documents = e.done;
      p.documentsTotal = e.total ?? null;
    }
    const now = Date.now();
    if (phaseChanged || now - this.lastEmit >= 250) {
      this.lastEmit = now;
      this.emit('progress', p);
    }
  }

  runFinished(): void {
    this.progress = null;
    this.emit('progress', null);
    this.emit('finished');
  }

  sampleLag(seconds: number | null, at = Date.now()): void {
    this.lag.push([at, seconds]);
    if (this.lag.length > LAG_POINTS) {
      const kept = this.lag.filter((_, i) => i % 2 === 0 || i === this.lag.length - 1);
      this.lag.splice(0, this.lag.length, ...kept);
    }
  }
}
