import fs from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { openLiveIndex } from '../../sink';
import { live } from '../../sink/types';

/** `feeder export`: every live document as NDJSON, in id order. */
export function exportCommand(program: Command): void {
  program
    .command('export')
    .description('every live document as NDJSON, sorted by numeric id (logs go to stderr)')
    .option('--categories', 'export the categories index instead')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { categories?: boolean; out?: string }) => {
      const config = loadConfig();
      const sink = await openLiveIndex(config);
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
}
