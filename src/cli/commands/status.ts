import type { Command } from 'commander';
import { healthReport } from '../../service/health';
import { createSink } from '../../sink';
import { configuredFingerprint } from '../../profile/load';
import { sinkStatus } from '../../service/status';
import { statusText } from '../format';
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
        const fingerprint = configuredFingerprint(config);
        const engine = createSink(config);
        const sink = await sinkStatus(engine, fingerprint).finally(() => engine.close().catch(() => undefined));
        const quarantine = store.quarantine.list(50);
        const ok = report.ok && sink.reachable;
        console.log(opts.json ? JSON.stringify({ ...report, ok, sink, documents: sink.documents, quarantine }, null, 2) : statusText(report, sink, quarantine));
        if (!ok) process.exitCode = 1;
      }),
    );
}
