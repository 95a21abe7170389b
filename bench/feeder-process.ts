/*
 * One feeder run in a process of its own (its peak RSS is the run's): `rebuild` or `sync`, into the
 * sink SINK names or, with `discard`, into the benchmarks' discarding sink. Configured by the
 * environment like the CLI; prints a FeederReport as its last line.
 */
import path from 'node:path';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/platform/logger';
import { openRuntime } from '../src/wiring/runtime';
import { rebuild } from '../src/sync/rebuild';
import { sync } from '../src/sync/sync';
import { DiscardSink } from './discard-sink';
import type { FeederReport } from './protocol';
import { live } from '../src/sink/types';
import { runWith, type ProgressEvent } from '../src/sync/context';
import { memoryTrace } from './memory-trace';

async function main(): Promise<void> {
  const op = process.argv[2] as FeederReport['op'];
  const discard = process.argv[3] === 'discard';
  const config = loadConfig(process.env);
  const rt = await openRuntime(
    config,
    createLogger(config.LOG_LEVEL),
    discard ? { sink: new DiscardSink(path.join(path.dirname(config.STATE_PATH), 'discard-sink.json')) } : {},
  );
  try {
    const started = performance.now();
    // BENCH_MEMORY_TRACE names a file: the process's memory, sampled with the run's phase.
    const trace = process.env.BENCH_MEMORY_TRACE ? memoryTrace(process.env.BENCH_MEMORY_TRACE) : null;
    const onProgress = trace ? (e: ProgressEvent) => trace.phase(e.phase) : undefined;
    const ctx = runWith(rt.ctx, { onProgress });
    const summary = await (op === 'rebuild' ? rebuild(ctx) : sync(ctx)).finally(() => trace?.stop());
    const ms = performance.now() - started;
    const documents = await rt.ctx.sink.count(live(rt.ctx.sink, 'products'));
    const report: FeederReport = {
      op,
      sink: rt.ctx.sink.engine,
      ms,
      documents,
      written: summary.written,
      requests: summary.requests,
      rows: summary.rows,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await rt.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
