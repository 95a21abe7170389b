import type { Command } from 'commander';
import { Service } from '../../service/serve';
import { waitForSignal, withRuntime } from '../context';

/** `feeder serve`: the schedules and the HTTP endpoints, until SIGTERM or SIGINT. */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'scheduler (SYNC_CRON, REBUILD_CRON, RECONCILE_CRON) plus GET /healthz, GET /metrics, POST /sync, POST /rebuild on HOST:PORT, and the search API (GET /search, GET /autocomplete) there or on SEARCH_PORT',
    )
    .action(() => {
      // One shutdown signal for the whole process: source requests in flight and runs stop on it.
      const shutdown = new AbortController();
      return withRuntime(
        async (rt) => {
          const service = new Service(rt, shutdown);
          // A failed start leaves nothing running: no listener, no schedule, then exit non-zero.
          await service.start().catch(async (err: unknown) => {
            await service.stop();
            throw err;
          });
          const signal = await waitForSignal();
          rt.ctx.log.info({ signal }, 'shutting down: stopping the current run at its next checkpoint');
          await service.stop();
          rt.ctx.log.info('stopped');
        },
        { shutdown: shutdown.signal },
      );
    });
}
