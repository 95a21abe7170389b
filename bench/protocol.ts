/* Messages between the benchmark driver and its child processes. */

export type SandboxRequest =
  { type: 'served' } | { type: 'reset-served' } | { type: 'edit'; count: number } | { type: 'edit-one'; n: number; kind: 'price' | 'name' } | { type: 'stop' };

export type SandboxReply =
  | { type: 'ready'; url: string; channelId: string; token: string; rows: Record<string, number> }
  | { type: 'served'; served: Record<string, number>; total: number }
  | { type: 'edited'; products: number[] }
  | { type: 'edited-one'; product: number; field: 'price' | 'name'; value: number | string }
  | { type: 'ok' };

/** What a feeder child reports (its last stdout line). */
export interface FeederReport {
  op: 'rebuild' | 'sync';
  sink: string;
  /** Wall time of the run itself, without process start-up. */
  ms: number;
  documents: number;
  written: number;
  requests: number;
  rows: number;
  peakRssMb: number;
  heapUsedMb: number;
}
