import { Catalog } from '../../src/sandbox/catalog';
import { parseFilters, select } from '../../src/sandbox/query';
import { Rng } from '../../src/sandbox/random';
import { RESOURCE_PATHS } from '../../src/sandbox/tables';

/*
 * The sandbox answers a window read (modified_date filters) from the table's modified_date order,
 * kept up to date by every change, instead of a scan. The scan is the reference: both must answer
 * every window alike after generation, edits, deletes, late (backdated) commits and raw puts.
 */

const WINDOWED = RESOURCE_PATHS.filter((p) => p !== 'deleted-items' && p !== 'content-types');

function windows(catalog: Catalog): URLSearchParams[] {
  const stamps = WINDOWED.flatMap((p) => catalog.rows(p).map((r) => String(r.modified_date)))
    .filter((s) => /^\d/.test(s))
    .sort();
  const at = (q: number) => stamps[Math.floor(q * (stamps.length - 1))];
  return [
    new URLSearchParams({ modified_date__gte: at(0.5) }),
    new URLSearchParams({ modified_date__gt: at(0.9), modified_date__lt: at(0.99) }),
    new URLSearchParams({ modified_date__gte: at(0.2), modified_date__lte: at(0.2), id__gt: '10' }),
    new URLSearchParams({ modified_date__gte: '2023-01-01', modified_date__lt: at(1), id__lte: '400' }),
    new URLSearchParams({ modified_date: at(0.7) }),
    new URLSearchParams({ modified_date__gte: at(1) }),
  ];
}

function expectSameAnswers(catalog: Catalog): void {
  for (const path of WINDOWED) {
    for (const params of windows(catalog)) {
      const filters = parseFilters(params);
      const scan = select(catalog.rows(path), filters, [{ field: 'id', desc: false }], 0, 10_000);
      const indexed = select(catalog.rows(path), filters, [{ field: 'id', desc: false }], 0, 10_000, (b) => catalog.modifiedWithin(path, b));
      expect({ path, params: params.toString(), ids: indexed.results.map((r) => r.id), count: indexed.count }).toEqual({
        path,
        params: params.toString(),
        ids: scan.results.map((r) => r.id),
        count: scan.count,
      });
    }
  }
}

test('a window read answers as a scan of the table, before and after every kind of change', () => {
  const catalog = new Catalog({ products: 300, seed: 5 });
  expectSameAnswers(catalog);
  const rng = new Rng(9);
  for (let i = 0; i < 200; i++) catalog.randomMutation(rng);
  catalog.backdated(60_000, () => catalog.setPrice(catalog.rows('catalogs/product-prices')[3].id, 99));
  catalog.putRaw('products/products', { ...catalog.rows('products/products')[4], modified_date: 'not a date' });
  catalog.removeRaw('pretty-urls', catalog.rows('pretty-urls')[8].id);
  const edge = catalog.rows('products/products')[6];
  catalog.updateProduct(edge.id, { modified_date: String(catalog.rows('products/products')[2].modified_date) });
  expectSameAnswers(catalog);
});
