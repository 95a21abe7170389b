import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load';
import { anyOf, within, type Filter, type SearchQuery } from '../../sink/types';
import { hitOf, hitsText } from '../format';
import { applyFilter } from '../filters';
import { integer, number } from '../context';
import { openLiveIndex } from '../../sink';

/** `feeder search`: the storefront query over the live index, any sink. */
export function searchCommand(program: Command): void {
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
    .option('--limit <n>', 'hits to print (1 to 1000)', integer('--limit', 1, 1000), 10)
    .option('--facet <name...>', 'count the values of these facets (profile facet keys, or attribute keys) among the matches')
    .option('--locale <code>', "search that language's fields too (a locale of the search profile, e.g. en-us)")
    .option('--filter <expr>', 'category_ids=ID, price>=N, price<=N, price=A..B, is_active=true|false (repeatable)', (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ])
    .option('--json', 'print JSON')
    .action(async (words: string[], opts: Record<string, unknown>) => {
      const config = loadConfig();
      ((opts.filter as string[] | undefined) ?? []).reduce(applyFilter, {}); // usage errors before opening anything
      const sink = await openLiveIndex(config);
      try {
        const base: SearchQuery = {
          text: words.join(' '),
          filters: optionFilters(opts),
          isActive: opts.active ? true : opts.inactive ? false : undefined,
          sort: opts.sort as string,
          limit: opts.limit as number,
          facets: opts.facet as string[] | undefined,
          locale: opts.locale as string | undefined,
        };
        const result = await sink.search(((opts.filter as string[] | undefined) ?? []).reduce(applyFilter, base));
        // JSON prints each hit's display fields, as `feeder search` always has; the documents are the search API's.
        console.log(opts.json ? JSON.stringify({ ...result, hits: result.hits.map(hitOf) }) : hitsText(result));
      } finally {
        await sink.close();
      }
    });
}

/** `--category`, `--min-price` and `--max-price` as filter clauses. */
function optionFilters(opts: Record<string, unknown>): Filter[] {
  const [category, min, max] = [opts.category, opts.minPrice, opts.maxPrice] as (number | undefined)[];
  return [
    ...(category !== undefined ? [anyOf('category_ids', [category])] : []),
    ...(min !== undefined || max !== undefined ? [within('price', { min, max })] : []),
  ];
}
