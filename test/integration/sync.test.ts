import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { reconcile } from '../../src/sync/reconcile';
import { Rng } from '../../src/sandbox/random';
import { LockBusyError } from '../../src/errors';
import type { Sandbox } from '../../src/sandbox/server';
import type { Runtime } from '../../src/wiring/runtime';
import { exportDocs, letTimePass, referenceDocs, withFeeder } from '../helpers/harness';
import { exists, live } from '../../src/sink/types';

async function expectEqualsRebuild(sandbox: Sandbox, rt: Runtime, extra: Record<string, string> = {}) {
  const ref = await referenceDocs(sandbox, extra);
  expect(await exportDocs(rt)).toEqual(ref.products);
  expect(await exportDocs(rt, 'categories')).toEqual(ref.categories);
}

describe('incremental sync', () => {
  test.each([1, 2, 3, 4, 5, 6])('seed %i: after random edits and syncs, the index equals a fresh rebuild', async (seed) => {
    await withFeeder({ products: 250, seed }, { AKINON_PAGE_SIZE: '20' }, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      const rng = new Rng(seed * 7919);
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 12; i++) sandbox.catalog.randomMutation(rng);
        letTimePass(sandbox);
        await sync(rt.ctx);
      }
      await expectEqualsRebuild(sandbox, rt);
    });
  });

  test('the same holds with day-precision cursors and INDEX_FILTER=listable', async () => {
    const extra = { AKINON_CURSOR_PRECISION: 'date', INDEX_FILTER: 'listable' };
    await withFeeder({ products: 200, seed: 77 }, extra, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      const rng = new Rng(4242);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 15; i++) sandbox.catalog.randomMutation(rng);
        letTimePass(sandbox);
        await sync(rt.ctx);
      }
      const listable = sandbox.catalog.rows('products/products').find((p) => p.is_active && p.is_listable)!;
      sandbox.catalog.updateProduct(listable.id, { is_listable: false });
      const hidden = sandbox.catalog.rows('products/products').find((p) => p.is_active && !p.is_listable && p.id !== listable.id)!;
      sandbox.catalog.updateProduct(hidden.id, { is_listable: true });
      letTimePass(sandbox);
      const summary = await sync(rt.ctx);
      expect(summary.deleted).toBeGreaterThanOrEqual(1);
      const ids = (await exportDocs(rt)).map((d) => d.id);
      expect(ids).not.toContain(String(listable.id));
      expect(ids).toContain(String(hidden.id));
      await expectEqualsRebuild(sandbox, rt, extra);
    });
  });

  test('rows modified while a sync pages, and rows modified exactly at the watermark, are not lost', async () => {
    await withFeeder({ products: 300, seed: 8 }, { AKINON_PAGE_SIZE: '10' }, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      const { catalog } = sandbox;
      for (const p of catalog.rows('catalogs/product-prices').slice(0, 40)) catalog.setPrice(p.id, 1 + p.id);
      letTimePass(sandbox);
      let edited = false;
      sandbox.onRequest = (resource, params) => {
        // Mid-crawl of the price window: edit a row behind the cursor and one ahead of it.
        if (!edited && resource === 'catalogs/product-prices' && params.get('id__gt')) {
          edited = true;
          const behind = catalog.rows('catalogs/product-prices')[0];
          catalog.setPrice(behind.id, 4321);
          catalog.setPrice(catalog.rows('catalogs/product-prices')[200].id, 1234);
        }
      };
      await sync(rt.ctx);
      sandbox.onRequest = null;
      expect(edited).toBe(true);
      // A row stamped exactly at the watermark the last sync left.
      const mark = rt.ctx.store.cursors.get('window:products')!;
      const product = catalog.rows('products/products')[5];
      catalog.updateProduct(product.id, { name: 'Tam Sınırda', modified_date: mark });
      letTimePass(sandbox);
      await sync(rt.ctx);
      const doc = (await exportDocs(rt)).find((d) => d.id === String(product.id))!;
      expect(doc.name).toBe('Tam Sınırda');
      await expectEqualsRebuild(sandbox, rt);
    });
  });

  test('a second sync with no source changes writes nothing', async () => {
    await withFeeder({ products: 150, seed: 12 }, {}, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      sandbox.catalog.setPrice(sandbox.catalog.rows('catalogs/product-prices')[3].id, 77.7);
      letTimePass(sandbox);
      expect((await sync(rt.ctx)).written).toBeGreaterThan(0);
      letTimePass(sandbox);
      const again = await sync(rt.ctx);
      expect([again.written, again.deleted, again.categoriesWritten, again.rows]).toEqual([0, 0, 0, 0]);
    });
  });

  test('deleting a category node rebuilds its products without it; deleting a variant updates its parent', async () => {
    await withFeeder({ products: 300, seed: 13 }, {}, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      const { catalog } = sandbox;
      const docs = await exportDocs(rt);
      const linked = docs.find((d) => (d.categories as { id: number }[]).length > 0)!;
      const nodeId = (linked.categories as { id: number }[])[0].id;
      const parent = docs.find((d) => (d.variants as unknown[]).length >= 2)!;
      const variantId = (parent.variants as { id: number }[])[0].id;
      catalog.deleteCategory(nodeId);
      catalog.deleteProduct(variantId);
      letTimePass(sandbox);
      const summary = await sync(rt.ctx);
      expect(summary.deleted).toBe(1);
      const after = await exportDocs(rt);
      const relinked = after.find((d) => d.id === linked.id)!;
      expect((relinked.categories as { id: number }[]).map((c) => c.id)).not.toContain(nodeId);
      expect(relinked.category_ids as number[]).not.toContain(nodeId);
      expect(after.find((d) => d.id === String(variantId))).toBeUndefined();
      expect((after.find((d) => d.id === parent.id)!.variants as { id: number }[]).map((v) => v.id)).not.toContain(variantId);
      expect((await exportDocs(rt, 'categories')).map((c) => c.id)).not.toContain(nodeId);
      await expectEqualsRebuild(sandbox, rt);
    });
  });

  test('a product deleted and re-created with the same id between runs is indexed, not deleted', async () => {
    await withFeeder({ products: 100, seed: 14 }, {}, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      const { catalog } = sandbox;
      const victim = { ...catalog.rows('products/products').find((p) => p.parent === null)! };
      catalog.deleteProduct(victim.id);
      letTimePass(sandbox, 1000);
      catalog.putRaw('products/products', { ...victim, name: 'Yeniden', modified_date: catalog.clock.stamp() });
      letTimePass(sandbox);
      await sync(rt.ctx);
      expect((await exportDocs(rt)).find((d) => d.id === String(victim.id))?.name).toBe('Yeniden');
      await expectEqualsRebuild(sandbox, rt);
    });
  });

  test('prices edited while a rebuild is loading are in the index right after the swap', async () => {
    await withFeeder({ products: 300, seed: 15 }, { AKINON_PAGE_SIZE: '25' }, async (sandbox, rt) => {
      const { catalog } = sandbox;
      const price = catalog.rows('catalogs/product-prices').find((p) => p.price_type === 'default' && p.currency_type === 'try')!;
      let edited = false;
      sandbox.onRequest = (resource) => {
        // Prices are crawled before images: by now this price row has been read.
        if (!edited && resource === 'products/product-images') {
          edited = true;
          catalog.setPrice(price.id, 9.99);
        }
      };
      await rebuild(rt.ctx);
      sandbox.onRequest = null;
      expect(edited).toBe(true);
      const doc = (await exportDocs(rt)).find((d) => d.id === String(price.product))!;
      expect((doc.prices as { price: number }[]).map((p) => p.price)).toContain(9.99);
      await expectEqualsRebuild(sandbox, rt);
    });
  });

  test('reconcile before any rebuild fails with a code, and touches nothing', async () => {
    await withFeeder({ products: 20, seed: 17 }, {}, async (_sandbox, rt) => {
      await expect(reconcile(rt.ctx)).rejects.toMatchObject({ code: 'FEEDER_ERR_NO_INDEX' });
      expect(await exists(rt.ctx.sink, 'products')).toBe(false);
    });
  });

  test('reconcile repairs a document deleted by hand and removes a stray added by hand', async () => {
    await withFeeder({ products: 120, seed: 16 }, {}, async (sandbox, rt) => {
      await rebuild(rt.ctx);
      const products = live(rt.ctx.sink, 'products');
      const [first] = await exportDocs(rt);
      await rt.ctx.sink.delete(products, [first.id as string]);
      await rt.ctx.sink.write(products, [{ ...first, id: '777777', product_id: 777777 }]);
      const summary = await reconcile(rt.ctx);
      expect([summary.missing, summary.strays, summary.stale]).toEqual([1, 1, 0]);
      await expectEqualsRebuild(sandbox, rt);
      const again = await reconcile(rt.ctx);
      expect([again.missing, again.strays, again.stale]).toEqual([0, 0, 0]);
    });
  });

  test('one run at a time per index; a lock left by a dead process is taken over', async () => {
    await withFeeder({ products: 80, seed: 17 }, {}, async (_sandbox, rt) => {
      await rebuild(rt.ctx);
      const lockName = 'run:sqlite:products';
      rt.ctx.store.lock.acquire(lockName, 'someone-else', 60_000);
      await expect(sync(rt.ctx)).rejects.toBeInstanceOf(LockBusyError);
      rt.ctx.store.lock.release(lockName, 'someone-else');
      // Another process takes the lock for a minute and dies holding it: the lock is stale at once.
      const store = path.resolve(__dirname, '../../dist/state/store.js');
      const taker = spawnSync(process.execPath, [
        '-e',
        `const { StateStore } = require(${JSON.stringify(store)}); new StateStore(${JSON.stringify(rt.ctx.config.STATE_PATH)}).lock.acquire(${JSON.stringify(lockName)}, 'dead-process', 60000);`,
      ]);
      expect(taker.status).toBe(0);
      // The fault happened: the lock is held, by a process that is gone.
      expect(rt.ctx.store.lock.holder(lockName)).toMatchObject({ holder: 'dead-process', alive: false });
      await expect(sync(rt.ctx)).resolves.toMatchObject({ kind: 'sync' });
    });
  });
});
