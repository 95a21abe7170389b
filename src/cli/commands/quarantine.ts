import type { Command } from 'commander';
import { retryQuarantineNow } from '../../sync/quarantine';
import { quarantineText } from '../format';
import { withRuntime, withStore } from '../context';

/** `feeder quarantine list | retry | purge`. */
export function quarantineCommand(program: Command): void {
  const quarantine = program.command('quarantine').description('records that failed validation or were refused by the sink');
  quarantine
    .command('list')
    .description('quarantined records with their reasons')
    .option('--json', 'print JSON (with the raw records)')
    .action((opts: { json?: boolean }) =>
      withStore((store) => {
        const records = store.quarantine.list(100_000);
        console.log(opts.json ? JSON.stringify(records, null, 2) : quarantineText(records));
      }),
    );
  quarantine
    .command('retry')
    .description('fetch every quarantined record again now and index the ones that became valid')
    .action(() =>
      withRuntime(async (rt) => {
        const r = await retryQuarantineNow(rt.ctx);
        console.log(`quarantine retry: released ${r.released}, still quarantined ${r.remaining}; written ${r.written}, deleted ${r.deleted}`);
      }),
    );
  quarantine
    .command('purge')
    .description('forget quarantined records (all, or of one resource)')
    .option('--resource <name>', 'only this resource, e.g. product_prices')
    .action((opts: { resource?: string }) => withStore((store) => console.log(`quarantine purge: ${store.quarantine.purge(opts.resource)} records removed`)));
}
