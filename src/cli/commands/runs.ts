import type { Command } from 'commander';
import { rebuild } from '../../sync/rebuild';
import { reconcile } from '../../sync/reconcile';
import { sync } from '../../sync/sync';
import { summaryLine } from '../format';
import { progressReporter } from '../progress';
import { withRuntime } from '../context';
import { runWith } from '../../sync/context';

/** `feeder rebuild`, `feeder sync`, `feeder reconcile`: one run each, one summary line. */
export function runCommands(program: Command): void {
  program
    .command('rebuild')
    .description('full rebuild into a new index, swapped in atomically')
    .option('--allow-shrink', 'swap in a result smaller than REBUILD_MAX_SHRINK allows (the catalog really shrank)')
    .action((opts: { allowShrink?: boolean }) =>
      withRuntime(async (rt) => {
        const progress = progressReporter();
        try {
          console.log(summaryLine(await rebuild(runWith(rt.ctx, { onProgress: progress.onProgress, allowShrink: opts.allowShrink === true }))));
        } finally {
          progress.stop();
        }
      }),
    );

  program
    .command('sync')
    .description('one incremental run: apply what changed since the last run')
    .action(() => withRuntime(async (rt) => console.log(summaryLine(await sync(rt.ctx)))));

  program
    .command('reconcile')
    .description('compare the live index with the state store; delete strays, write missing and stale documents')
    .action(() => withRuntime(async (rt) => console.log(summaryLine(await reconcile(rt.ctx)))));
}
