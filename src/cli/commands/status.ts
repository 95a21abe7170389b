import type { Command } from 'commander';
import { healthReport } from '../../service/health';
import { createSink } from '../../sink';
import { live } from '../../sink/types';
import { statusText } from '../format';
import { withStore } from '../context';

/** `feeder status`: what the state store knows, and the live index's counts. */
export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('watermarks, last runs, document counts, quarantined records')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withStore(async (store, config) => {
        const sink = createSink(config);
        try {
          const report = healthReport(store, config);
          const counts = { products: await sink.count(live(sink, 'products')), categories: await sink.count(live(sink, 'categories')) };
          const quarantine = store.quarantined(50);
          console.log(opts.json ? JSON.stringify({ ...report, documents: counts, quarantine }, null, 2) : statusText(report, counts, quarantine));
        } finally {
          await sink.close();
        }
      }),
    );
}
