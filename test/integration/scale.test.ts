import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { exportDocs, feederEnv, letTimePass, openFeeder, startSandbox, tempDir } from '../helpers/harness';

test('100 changed prices in a 50,000-product catalog: O(changes / page size) requests, exactly the changed documents written', async () => {
  const sandbox = await startSandbox({ products: 50_000, seed: 50 });
  const rt = await openFeeder(feederEnv(sandbox, tempDir(), { BATCH_SIZE: '1000' }));
  try {
    await rebuild(rt.ctx);
    const { catalog } = sandbox;
    // The price each of 100 stand-alone products shows (lowest id of the default type), changed.
    const seen = new Set<number>();
    const changed: number[] = [];
    const byProduct = new Map<number, { id: number; product: number }>();
    for (const p of catalog.rows('catalogs/product-prices')) {
      if (p.price_type === 'default' && !byProduct.has(p.product as number)) byProduct.set(p.product as number, p as never);
    }
    for (const product of catalog.rows('products/products')) {
      if (changed.length === 100) break;
      const price = byProduct.get(product.id);
      if (product.parent !== null || !price || seen.has(product.id)) continue;
      seen.add(product.id);
      catalog.setPrice(price.id, 12345.67);
      changed.push(product.id);
    }
    letTimePass(sandbox);
    const before = sandbox.totalServed();
    const summary = await sync(rt.ctx);
    const requests = sandbox.totalServed() - before;
    // deleted-items + one window page per resource (5) + at most one more page of prices.
    expect(requests).toBeLessThanOrEqual(7);
    expect(summary.written).toBe(100);
    expect(summary.rows).toBe(100);
    const docs = await exportDocs(rt);
    expect(docs.filter((d) => d.price === 12345.67).map((d) => Number(d.id))).toEqual(changed);
  } finally {
    await rt.close();
    await sandbox.stop();
  }
}, 600_000);
