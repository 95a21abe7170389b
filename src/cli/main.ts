#!/usr/bin/env node
import fs from 'node:fs';
import { once } from 'node:events';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, redactedConfig } from '../config/load';
import type { Config } from '../config/schema';
import { ConfigError, FeederError, LockBusyError, UsageError } from '../errors';
import { createLogger } from '../service/logger';
import { openRuntime, type Runtime } from '../wiring/runtime';
import { Service } from '../service/serve';
import { healthReport } from '../service/health';
import { Sandbox } from '../sandbox/server';
import { rebuild } from '../sync/rebuild';
import { sync } from '../sync/sync';
import { reconcile } from '../sync/reconcile';
import { createSink } from '../sink';
import { StateStore } from '../state/store';
import { hitsText, quarantineText, statusText, summaryLine } from './format';
import { retryQuarantineNow } from '../sync/quarantine';
import { progressReporter } from './progress';
import { applyFilter } from './filters';
import { live, type SearchQuery } from '../sink/types';

/* Thin commands: parse arguments, wire the runtime, call the core, print, exit with a code. */

/** Commands that only read or tidy the state store need neither the source nor the sink. */
async function withStore<T>(fn: (store: StateStore, config: Config) => T | Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = new StateStore(config.STATE_PATH);
  try {
    return await fn(store, config);
  } finally {
    store.close();
  }
}

async function withRuntime<T>(fn: (rt: Runtime, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  log.debug({ config: redactedConfig(config) }, 'configuration');
  const rt = await openRuntime(config, log);
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

function number(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name}: expected a number (got "${v}")`);
    return n;
  };
}

export function buildProgram(): Command {
  const program = new Command('feeder')
    .description('Keeps a storefront search index in step with an Akinon Commerce catalog.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('rebuild')
    .description('full rebuild into a new index, swapped in atomically')
    .option('--allow-shrink', 'swap in a result smaller than REBUILD_MAX_SHRINK allows (the catalog really shrank)')
    .action((opts: { allowShrink?: boolean }) =>
      withRuntime(async (rt) => {
        const progress = progressReporter();
        rt.ctx.onProgress = progress.onProgress;
        rt.ctx.allowShrink = opts.allowShrink === true;
        try {
          console.log(summaryLine(await rebuild(rt.ctx)));
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

  const quarantine = program.command('quarantine').description('records that failed validation or were refused by the sink');
  quarantine
    .command('list')
    .description('quarantined records with their reasons')
    .option('--json', 'print JSON (with the raw records)')
    .action((opts: { json?: boolean }) =>
      withStore((store) => {
        const records = store.quarantined(100_000);
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
    .action((opts: { resource?: string }) =>
      withStore((store) => console.log(`quarantine purge: ${store.purgeQuarantine(opts.resource)} records removed`)),
    );

  program
    .command('search')
    .description('query the live index')
    .argument('[text...]', 'words to search for (name, SKU, base code, attribute labels, category names)')
    .option('--category <id>', 'only products in this category (or below it)', number('--category'))
    .option('--min-price <n>', 'lowest price', number('--min-price'))
    .option('--max-price <n>', 'highest price', number('--max-price'))
    .addOption(new Option('--active', 'only active products').conflicts('inactive'))
    .option('--inactive', 'only inactive products')
    .addOption(new Option('--sort <order>', 'order of hits').choices(['relevance', 'price', '-price']).default('relevance'))
    .option('--limit <n>', 'hits to print', number('--limit'), 10)
    .option('--facet <attribute...>', 'count the values of these attributes among the matches')
    .option('--filter <expr>', 'category_ids=ID, price>=N, price<=N, price=A..B, is_active=true|false (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', 'print JSON')
    .action(async (words: string[], opts: Record<string, unknown>) => {
      const config = loadConfig();
      ((opts.filter as string[] | undefined) ?? []).reduce(applyFilter, {}); // usage errors before opening anything
      const sink = createSink(config);
      try {
        const base: SearchQuery = {
          text: words.join(' '),
          categoryId: opts.category as number | undefined,
          minPrice: opts.minPrice as number | undefined,
          maxPrice: opts.maxPrice as number | undefined,
          isActive: opts.active ? true : opts.inactive ? false : undefined,
          sort: opts.sort as 'relevance' | 'price' | '-price',
          limit: opts.limit as number,
          facets: opts.facet as string[] | undefined,
        };
        const result = await sink.search(((opts.filter as string[] | undefined) ?? []).reduce(applyFilter, base));
        console.log(opts.json ? JSON.stringify(result) : hitsText(result));
      } finally {
        await sink.close();
      }
    });

  program
    .command('export')
    .description('every live document as NDJSON, sorted by numeric id (logs go to stderr)')
    .option('--categories', 'export the categories index instead')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { categories?: boolean; out?: string }) => {
      const config = loadConfig();
      const sink = createSink(config);
      const out = opts.out ? fs.createWriteStream(opts.out) : process.stdout;
      try {
        for await (const page of sink.scan(live(sink, opts.categories ? 'categories' : 'products'))) {
          const text = page.map((d) => JSON.stringify(d)).join('\n') + '\n';
          if (!out.write(text)) await once(out, 'drain');
        }
      } finally {
        if (opts.out) await new Promise<void>((resolve) => (out as fs.WriteStream).end(resolve));
        await sink.close();
      }
    });

  program
    .command('sandbox')
    .description('serve the built-in Data Warehouse API sandbox')
    .option('--port <n>', 'port', number('--port'), 8090)
    .option('--host <addr>', 'bind address', '127.0.0.1')
    .option('--products <n>', 'catalog size (default SANDBOX_PRODUCTS)', number('--products'))
    .option('--seed <n>', 'catalog seed (default SANDBOX_SEED)', number('--seed'))
    .option('--token <token>', 'API token to require', 'sandbox-token')
    .option('--mutate-every <ms>', 'apply one random catalog edit this often (live demo)', number('--mutate-every'), 0)
    .option('--fault-rate <r>', 'share of requests answered with 429/500/slow/truncated bodies', number('--fault-rate'), 0)
    .action(async (opts: { port: number; host: string; products?: number; seed?: number; token: string; mutateEvery: number; faultRate: number }) => {
      const config = loadConfig();
      const sandbox = new Sandbox({
        products: opts.products ?? config.SANDBOX_PRODUCTS,
        seed: opts.seed ?? config.SANDBOX_SEED,
        token: opts.token,
        faults: opts.faultRate > 0 ? { rate: opts.faultRate, kinds: ['429', '500', 'slow', 'truncated', 'malformed'], retryAfterSeconds: 1, slowMs: 1500 } : undefined,
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

  program
    .command('serve')
    .description('scheduler (SYNC_CRON, REBUILD_CRON) plus GET /healthz, GET /metrics, POST /sync, POST /rebuild on HOST:PORT')
    .action(() =>
      withRuntime(async (rt) => {
        const service = new Service(rt);
        await service.start();
        const signal = await waitForSignal();
        rt.ctx.log.info({ signal }, 'shutting down: stopping the current run at its next checkpoint');
        await service.stop();
        rt.ctx.log.info('stopped');
      }),
    );

  return program;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGTERM', on('SIGTERM'));
    process.once('SIGINT', on('SIGINT'));
  });
}

/** Exit codes: 0 success, 1 run failed, 2 bad configuration or usage. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`feeder: ${err.message}\n`);
      return 2;
    }
    if (err instanceof LockBusyError) {
      process.stderr.write(`feeder: ${err.message}\n`);
      return 1;
    }
    const message = err instanceof FeederError ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`feeder: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `feeder export | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
