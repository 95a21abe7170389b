import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { Sandbox } from '../../sandbox/server';
import { between, integer, waitForSignal } from '../context';

/** `feeder sandbox`: the built-in Data Warehouse API on a port. */
export function sandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('serve the built-in Data Warehouse API sandbox')
    .option('--port <n>', 'port', integer('--port', 0, 65535), 8090)
    .option('--host <addr>', 'bind address', '127.0.0.1')
    .option('--products <n>', 'catalog size (default SANDBOX_PRODUCTS)', integer('--products', 1, 5_000_000))
    .option('--seed <n>', 'catalog seed (default SANDBOX_SEED)', integer('--seed', 0, Number.MAX_SAFE_INTEGER))
    .option('--token <token>', 'API token to require', 'sandbox-token')
    .option('--mutate-every <ms>', 'apply one random catalog edit this often (live demo)', integer('--mutate-every', 0, 3_600_000), 0)
    .option('--fault-rate <r>', 'share of requests answered with 429/500/slow/truncated bodies (0 to 1)', between('--fault-rate', 0, 1), 0)
    .action(async (opts: { port: number; host: string; products?: number; seed?: number; token: string; mutateEvery: number; faultRate: number }) => {
      const config = loadConfig();
      const sandbox = new Sandbox({
        products: opts.products ?? config.SANDBOX_PRODUCTS,
        seed: opts.seed ?? config.SANDBOX_SEED,
        token: opts.token,
        faults:
          opts.faultRate > 0
            ? { rate: opts.faultRate, kinds: ['429', '500', 'slow', 'truncated', 'malformed'], retryAfterSeconds: 1, slowMs: 1500 }
            : undefined,
      });
      const url = await sandbox.start(opts.port, opts.host);
      process.stderr.write(
        `sandbox serving ${sandbox.catalog.rows('products/products').length} products at ${url}\n` +
          `  AKINON_URL=${url} AKINON_CHANNEL_ID=${sandbox.channelId} AKINON_TOKEN=${opts.token}\n`,
      );
      const timer = opts.mutateEvery > 0 ? setInterval(() => sandbox.catalog.randomMutation(), opts.mutateEvery) : null;
      await waitForSignal();
      if (timer) clearInterval(timer);
      await sandbox.stop();
    });
}
