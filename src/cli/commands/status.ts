import type { Command } from 'commander';
import { healthReport } from '../../service/health';
import { createSink } from '../../sink';
import { live } from '../../sink/types';
import { configuredFingerprint } from '../../profile/load';
import { liveShape } from '../../sync/source-identity';
import { statusText, type SinkStatus } from '../format';
import { withStore } from '../context';

/**
 * `feeder status`: what the state store knows, and the live index's counts. A sink that cannot be
 * reached is marked so; everything else is still shown. Exit code: 0 healthy, 1 not (the sink
 * unreachable counts as not healthy).
 */
export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('health, watermarks, last runs, document counts, quarantined records; exit 0 when healthy, 1 when not')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withStore(async (store, config) => {
        const report = healthReport(store, config);
        // A profile or transform file that cannot be read is bad configuration (exit 2), not a sink fault.
        const sink = await sinkStatus(config, configuredFingerprint(config));
        const quarantine = store.quarantined(50);
        const ok = report.ok && sink.reachable;
        console.log(opts.json ? JSON.stringify({ ...report, ok, sink, documents: sink.documents, quarantine }, null, 2) : statusText(report, sink, quarantine));
        if (!ok) process.exitCode = 1;
      }),
    );
}

async function sinkStatus(config: Parameters<typeof createSink>[0], configured: string): Promise<SinkStatus> {
  const sink = createSink(config);
  try {
    const documents = { products: await sink.count(live(sink, 'products')), categories: await sink.count(live(sink, 'categories')) };
    return { engine: sink.engine, reachable: true, error: null, documents, shape: { live: await liveShape(sink), configured } };
  } catch (err) {
    return { engine: sink.engine, reachable: false, error: (err as Error).message, documents: null, shape: null };
  } finally {
    await sink.close().catch(() => undefined);
  }
}
