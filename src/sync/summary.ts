/* What a run reports: its figures, per kind, as printed in its summary line and kept in the run history. */

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
