import Database from 'better-sqlite3';
import { anyOf, within } from '../../src/sink/types';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import type { Sandbox } from '../../src/sandbox/server';
import type { Runtime } from '../../src/wiring/runtime';
import { exportDocs, feederEnv, openFeeder, referenceDocs, searcher, startSandbox, tempDir } from '../helpers/harness';
import { live } from '../../src/sink/types';
import { runWith, type ProgressEvent } from '../../src/sync/context';

describe('rebuild from the sandbox into the embedded index', () => {
  let sandbox: Sandbox;
  let rt: Runtime;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ products: 600, seed: 11 });
    env = feederEnv(sandbox, tempDir());
    rt = await openFeeder(env);
  });
  afterAll(async () => {
    await rt.close();
    await sandbox.stop();
  });

  test('every product becomes a document, and search finds them by name, SKU and category', async () => {
    const summary = await rebuild(rt.ctx);
    expect(summary.written).toBe(600);
    expect(await rt.ctx.sink.count(live(rt.ctx.sink, 'products'))).toBe(600);
    expect(await rt.ctx.sink.count(live(rt.ctx.sink, 'categories'))).toBe(sandbox.catalog.rows('catalogs/category-nodes').length);

    const product = sandbox.catalog.rows('products/products').find((p) => p.parent === null && p.is_active)!;
    const word = String(product.name).split(' ').pop()!;
    const byName = await searcher(rt).search({ text: word, limit: 1000 });
    expect(byName.hits.map((h) => h.id)).toContain(String(product.id));

    const bySku = await searcher(rt).search({ text: String(product.sku) });
    expect(bySku.hits[0].id).toBe(String(product.id));

    const docs = await exportDocs(rt);
    const withCategory = docs.find((d) => (d.category_names as string[]).length > 0)!;
    const categoryName = (withCategory.category_names as string[])[0];
    const byCategory = await searcher(rt).search({ text: categoryName, limit: 1000 });
    expect(byCategory.hits.map((h) => h.id)).toContain(withCategory.id);
  });

  test('filters: category id, price range, is_active; sort by price', async () => {
    const docs = await exportDocs(rt);
    const categoryId = (docs.find((d) => (d.category_ids as number[]).length > 0)!.category_ids as number[])[0];
    const expected = docs
      .filter(
        (d) => (d.category_ids as number[]).includes(categoryId) && d.is_active === true && typeof d.price === 'number' && d.price >= 100 && d.price <= 2000,
      )
      .sort((a, b) => (a.price as number) - (b.price as number) || Number(a.id) - Number(b.id))
      .map((d) => d.id);
    const result = await searcher(rt).search({
      filters: [anyOf('category_ids', [categoryId]), within('price', { min: 100, max: 2000 })],
      isActive: true,
      sort: 'price',
      limit: 1000,
    });
    expect(result.total).toBe(expected.length);
    expect(result.hits.map((h) => h.id)).toEqual(expected);
  });

  test('a second rebuild gives identical documents, and readers see a complete index throughout', async () => {
    const before = await exportDocs(rt);
    const reader = new Database(env.SQLITE_PATH, { readonly: true });
    const counts = new Set<number>();
    let reading = true;
    const loop = (async () => {
      while (reading) {
        counts.add((reader.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n);
        const hits = reader.prepare("SELECT count(*) AS n FROM products__fts WHERE products__fts MATCH 'akn*'").get() as { n: number };
        counts.add(hits.n);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await rebuild(rt.ctx);
    reading = false;
    await loop;
    reader.close();
    expect([...counts]).toEqual([600]);
    expect(await exportDocs(rt)).toEqual(before);
  });

  test('the build phase yields to the event loop between batches (health checks, signals, idle sockets)', async () => {
    // The embedded sink writes synchronously: without a yield per batch, no timer, socket or signal
    // handler would run until the whole build phase ended.
    const own = await openFeeder(feederEnv(sandbox, tempDir(), { BATCH_SIZE: '50' }));
    let ticks = 0;
    const seenAtBatches: number[] = [];
    const timer = setInterval(() => ticks++, 0);
    const onProgress = (e: ProgressEvent) => {
      if (e.phase === 'build') seenAtBatches.push(ticks);
    };
    try {
      await rebuild(runWith(own.ctx, { onProgress }));
    } finally {
      clearInterval(timer);
      await own.close();
    }
    expect(seenAtBatches.length).toBeGreaterThanOrEqual(12);
    // Timers ran while the build went on, not only before or after it.
    expect(new Set(seenAtBatches).size).toBeGreaterThan(seenAtBatches.length / 2);
  });

  test('the index equals a rebuild by an independent feeder', async () => {
    expect((await referenceDocs(sandbox)).products).toEqual(await exportDocs(rt));
  });
});

describe('a hostile source', () => {
  test('with 20% of requests failing (429 with Retry-After, 500, slow, truncated), a rebuild gives the clean documents', async () => {
    const sandbox = await startSandbox({ products: 300, seed: 5 });
    try {
      const clean = await referenceDocs(sandbox, { AKINON_PAGE_SIZE: '25' });
      sandbox.faults = { rate: 0.2, kinds: ['429', '500', '503', 'slow', 'truncated', 'malformed', 'reset'], retryAfterSeconds: 0, slowMs: 400 };
      const rt = await openFeeder(feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '25', AKINON_TIMEOUT_MS: '150', AKINON_MAX_RETRIES: '20' }));
      try {
        const summary = await rebuild(rt.ctx);
        expect(summary.retries).toBeGreaterThan(0);
        expect(await exportDocs(rt)).toEqual(clean.products);
        expect(await exportDocs(rt, 'categories')).toEqual(clean.categories);
      } finally {
        await rt.close();
      }
    } finally {
      await sandbox.stop();
    }
  });

  test('a server that ignores the page size, with the page size parameter renamed', async () => {
    const sandbox = await startSandbox({ products: 120, seed: 9, fixedPageSize: 10 });
    try {
      const rt = await openFeeder(feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE_PARAM: 'page_size' }));
      try {
        await rebuild(rt.ctx);
        expect((await exportDocs(rt)).map((d) => d.id)).toEqual(sandbox.catalog.rows('products/products').map((p) => String(p.id)));
      } finally {
        await rt.close();
      }
    } finally {
      await sandbox.stop();
    }
  });

  test('records of the wrong type are quarantined with their reason; the run goes on', async () => {
    const sandbox = await startSandbox({ products: 100, seed: 3 });
    const { catalog } = sandbox;
    const price = { ...catalog.rows('catalogs/product-prices')[0] };
    catalog.putRaw('catalogs/product-prices', { ...price, id: 900001, price: 'abc' });
    catalog.putRaw('catalogs/product-prices', { ...price, id: 900002, product: null });
    catalog.putRaw('products/products', { ...catalog.rows('products/products')[0], id: 900003, is_active: 'yes' });
    const rt = await openFeeder(feederEnv(sandbox, tempDir()));
    try {
      const summary = await rebuild(rt.ctx);
      expect(summary.quarantined).toBe(3);
      expect(summary.written).toBe(100);
      const q = rt.ctx.store.quarantine.list();
      expect(q.map((r) => [r.resource, r.record_key, r.reason])).toEqual(
        expect.arrayContaining([
          ['product_prices', '900001', 'price: expected a decimal such as "199.00"'],
          ['product_prices', '900002', expect.stringMatching(/^product: /)],
          ['products', '900003', expect.stringMatching(/^is_active: /)],
        ]),
      );
      // Fixed at the source: the next sync retries it and releases it from quarantine.
      catalog.putRaw('catalogs/product-prices', { ...price, id: 900001, price: '12.50' });
      await sync(rt.ctx);
      expect(
        rt.ctx.store.quarantine
          .list()
          .map((r) => r.record_key)
          .sort(),
      ).toEqual(['900002', '900003']);
    } finally {
      await rt.close();
      await sandbox.stop();
    }
  });
});

describe('product -> category link through an endpoint', () => {
  test('CATEGORY_LINK=endpoint gives the same categories as the attribute the links were made from', async () => {
    const sandbox = await startSandbox({ products: 200, seed: 31 });
    try {
      const byAttribute = await referenceDocs(sandbox);
      const byEndpoint = await referenceDocs(sandbox, {
        CATEGORY_LINK: 'endpoint',
        CATEGORY_LINK_PATH: 'products/product-categories',
        CATEGORY_ATTRIBUTE: 'none',
      });
      expect(byEndpoint.products.some((d) => (d.category_ids as number[]).length > 0)).toBe(true);
      expect(byEndpoint.products).toEqual(byAttribute.products);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('the sandbox keeps the vendor contract', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ products: 60, seed: 2 });
  });
  afterAll(() => sandbox.stop());
  const base = () => `${sandbox.url}/api/v1/remote/${sandbox.channelId}/data-warehouse`;
  const get = (path: string, token: string | null = sandbox.token) => fetch(`${base()}/${path}`, { headers: token ? { authorization: `Token ${token}` } : {} });

  test('401 without or with a wrong token', async () => {
    expect((await get('products/products/', null)).status).toBe(401);
    expect((await get('products/products/', 'nope')).status).toBe(401);
  });

  test('pages: count, absolute next on another path, decimal strings, deleted-items without modified_date', async () => {
    const prices = (await (await get('catalogs/product-prices/?limit=5')).json()) as { count: number; next: string; results: { price: unknown }[] };
    expect(prices.results).toHaveLength(5);
    expect(prices.count).toBe(sandbox.catalog.rows('catalogs/product-prices').length);
    expect(prices.next).toBe(`${sandbox.url}/api/v1/data-warehouse/catalogs/product-prices/?limit=5&page=2`);
    expect(typeof prices.results[0].price).toBe('string');
    const deleted = (await (await get('deleted-items/?modified_date__gte=2099-01-01')).json()) as { results: Record<string, unknown>[] };
    expect(deleted.results.length).toBeGreaterThan(0);
    expect(deleted.results[0]).not.toHaveProperty('modified_date');
  });

  test('filters and multi-field sort', async () => {
    const page = (await (await get('products/products/?id__gt=10&id__lte=20&sort=-is_active,-id&page_size=100')).json()) as {
      results: { id: number; is_active: boolean }[];
    };
    const ids = page.results.map((r) => r.id);
    expect(ids.every((id) => id > 10 && id <= 20)).toBe(true);
    const expected = sandbox.catalog
      .rows('products/products')
      .filter((p) => p.id > 10 && p.id <= 20)
      .sort((a, b) => Number(b.is_active) - Number(a.is_active) || b.id - a.id)
      .map((p) => p.id);
    expect(ids).toEqual(expected);
    const day = (await (await get('products/products/?modified_date__lt=2000-01-01')).json()) as { count: number };
    expect(day.count).toBe(0);
    expect((await get('products/products/?id__gt=abc')).status).toBe(400);
  });
});

describe('a source that breaks keyset paging fails loudly instead of skipping rows', () => {
  test.each([
    ['ignores sort=id', (s: Sandbox) => (s.onRequest = (_r, params) => params.set('sort', '-id'))],
    ['ignores id__gt', (s: Sandbox) => (s.onRequest = (_r, params) => params.delete('id__gt'))],
  ])('%s', async (_name, breakIt) => {
    const sandbox = await startSandbox({ products: 60, seed: 4 });
    try {
      breakIt(sandbox);
      const rt = await openFeeder(feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '10' }));
      try {
        await expect(rebuild(rt.ctx)).rejects.toMatchObject({ code: 'FEEDER_ERR_SOURCE_FORMAT' });
      } finally {
        await rt.close();
      }
    } finally {
      await sandbox.stop();
    }
  });
});
