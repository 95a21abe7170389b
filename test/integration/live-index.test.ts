/*
 * The live index never silently goes wrong: what an interrupted rebuild changes in the shared state
 * reaches the live index, on every sink.
 */
import { StateStore } from '../../src/state/store';
import { rebuildPlan } from '../../src/state/run-state';
import { rebuild } from '../../src/sync/rebuild';
import { compare, sinkEnv, useEngines, type SinkName } from '../faults/matrix';
import { runCli } from '../helpers/cli';
import { exportDocs, feederEnv, letTimePass, tempDir, withRuntime, withSandbox } from '../helpers/harness';
import { availableSinks, testUnless } from '../helpers/skip';
import { engineSkipReason } from '../support/engines';

const engines = useEngines('live-index-meili-key');

const SINKS = availableSinks(['sqlite', 'elasticsearch', 'opensearch', 'meilisearch']);

describe('a rebuild killed after its crawl, then a sync', () => {
  test.each(SINKS)(
    'deleted price and image leave the live document (%s)',
    async (sink) => {
      await withSandbox({ products: 120, seed: 12 }, async (sandbox) => {
        const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '25', ...sinkEnv(sink, engines) });
        // 1. A full index.
        await withRuntime(env, (rt) => rebuild(rt.ctx));

        // 2. A price row and an image row deleted at the source (with their deleted-items rows), and
        //    one more edit for the sync to write.
        const c = sandbox.catalog;
        const price = c
          .rows('catalogs/product-prices')
          .find((p) => c.rows('products/product-images').some((i) => i.product === p.product && i.status === 'active'))!;
        const product = Number(price.product);
        const image = c.rows('products/product-images').find((i) => i.product === product && i.status === 'active')!;
        expect(c.deletePrice(price.id)).toBe(true);
        expect(c.deleteImage(image.id)).toBe(true);
        const other = c.rows('products/products').find((p) => p.id !== product)!;
        c.updateProduct(other.id, { name: 'Yeni ad' });
        letTimePass(sandbox);

        // 3. A rebuild SIGKILLed late: at its catch-up, after the crawl and the build.
        let child: import('node:child_process').ChildProcess | null = null;
        sandbox.onRequest = (resource, params) => {
          if (resource === 'deleted-items' && params.get('sort') === 'id') child?.kill('SIGKILL');
        };
        const killed = await runCli(['rebuild'], env, { onSpawn: (c2) => (child = c2) });
        sandbox.onRequest = null;
        // The fault happened: killed mid-run, with its plan (its staging) left in the state.
        expect(killed.signal).toBe('SIGKILL');
        const state = new StateStore(env.STATE_PATH);
        const plan = rebuildPlan(state);
        state.close();
        expect(plan).not.toBeNull();
        expect(Object.values(plan!.crawled).every((m) => m === 'done')).toBe(true);

        // 4. A sync exits 0 and reads the two tombstones.
        const synced = await runCli(['sync'], { ...env, LOG_LEVEL: 'info' });
        expect(synced.code).toBe(0);
        expect(synced.stderr).toMatch(/"tombstones":2/);

        // 5. The live document no longer carries the deleted price or image, and the whole index
        //    equals a clean rebuild of the catalog.
        await withRuntime(env, async (rt) => {
          const doc = (await exportDocs(rt)).find((d) => d.id === String(product))!;
          expect(String(image.image)).toMatch(/^https:/);
          expect(JSON.stringify(doc.images)).not.toContain(String(image.image));
          expect((doc.prices as unknown[]).length).toBe(c.rows('catalogs/product-prices').filter((p) => p.product === product).length);
          expect(await compare(sandbox, rt)).toEqual({ lost: 0, duplicates: 0, equal: true });
        });
      });
    },
    240_000,
  );
});

describe('a rebuild that would shrink the index is refused', () => {
  const EMPTY = { count: 0, next: null, previous: null, results: [] };

  /** A full index, then a rebuild while `transform` rewrites the source's pages; the live index must stay. */
  async function refusedRebuild(sink: SinkName, transform: NonNullable<import('../../src/sandbox/server').Sandbox['transformPage']>) {
    return withSandbox({ products: 80, seed: 13 }, async (sandbox) => {
      const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '20', ...sinkEnv(sink, engines) });
      await withRuntime(env, (rt) => rebuild(rt.ctx));
      const before = await withRuntime(env, (rt) => exportDocs(rt));
      let rewritten = 0;
      sandbox.transformPage = (resource, params, page) => {
        const out = transform(resource, params, page);
        if (out !== page) rewritten++;
        return out;
      };
      const refused = await runCli(['rebuild'], env);
      sandbox.transformPage = null;
      // The fault happened: the source's pages were rewritten.
      expect(rewritten).toBeGreaterThan(0);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/rebuild refused: .*REBUILD_MAX_SHRINK=0\.5.*\[FEEDER_ERR_SHRINK_REFUSED\]/);
      // The live index is untouched, and status says why it is not healthy.
      const status = await runCli(['status', '--json'], env);
      const report = JSON.parse(status.stdout) as { ok: boolean; reason: string; refusedRebuild: { reason: string } | null };
      expect(report.ok).toBe(false);
      expect(report.refusedRebuild?.reason).toMatch(/rebuild refused/);
      expect(report.reason).toMatch(/rebuild refused/);
      await withRuntime(env, async (rt) => expect(await exportDocs(rt)).toEqual(before));
      // The next sync (source healthy again) keeps the index equal to a clean rebuild.
      await withRuntime(env, async (rt) => {
        await (await import('../../src/sync/sync')).sync(rt.ctx);
        expect(await compare(sandbox, rt)).toEqual({ lost: 0, duplicates: 0, equal: true });
      });
      return { env, sandbox, before };
    });
  }

  test.each(SINKS)(
    'a source answering 200 with empty product pages (%s)',
    async (sink) => {
      await refusedRebuild(sink, (resource, _params, page) => (resource === 'products/products' ? EMPTY : page));
    },
    120_000,
  );

  test('one absurd id (2^53) on the first page sends the cursor past the catalog (sqlite)', async () => {
    await refusedRebuild('sqlite', (resource, params, page) => {
      if (resource !== 'products/products' || params.has('id__gt') || page.results.length === 0) return page;
      const last = page.results[page.results.length - 1];
      return { ...page, results: [...page.results, { ...last, id: 2 ** 53 }] };
    });
  }, 120_000);

  test('--allow-shrink swaps the smaller index in and clears the refusal', async () => {
    await withSandbox({ products: 60, seed: 14 }, async (sandbox) => {
      const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '20' });
      await withRuntime(env, (rt) => rebuild(rt.ctx));
      const c = sandbox.catalog;
      for (const p of c
        .rows('products/products')
        .slice(0, 45)
        .map((r) => r.id))
        c.deleteProduct(p);
      letTimePass(sandbox);
      const refused = await runCli(['rebuild'], env);
      expect(refused.stderr).toMatch(/FEEDER_ERR_SHRINK_REFUSED/);
      const allowed = await runCli(['rebuild', '--allow-shrink'], env);
      expect(allowed.code).toBe(0);
      const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { refusedRebuild: unknown; documents: { products: number } };
      expect(status.refusedRebuild).toBeNull();
      expect(status.documents.products).toBe(c.rows('products/products').length);
    });
  }, 120_000);
});

describe('late tombstones', () => {
  test('a tombstone committed late, with an id lower than one already read, lands within one sync', async () => {
    await withSandbox({ products: 60, seed: 15 }, async (sandbox) => {
      const env = feederEnv(sandbox, tempDir(), { SYNC_LAG_SECONDS: '5' });
      const c = sandbox.catalog;
      await withRuntime(env, (rt) => rebuild(rt.ctx));
      const [a, b] = c.rows('catalogs/product-prices').filter((p, i, all) => all.findIndex((q) => q.product === p.product) === i);
      const priced = (docs: import('../../src/sink/types').SinkDocument[], price: typeof a) =>
        (docs.find((d) => d.id === String(price.product))!.prices as unknown[]).length;
      const before = await withRuntime(env, (rt) => exportDocs(rt));
      // Price a is deleted first, but its tombstone's transaction commits late: the tombstone for
      // price b, deleted a second later, is visible first with a higher id.
      c.deletePrice(a.id);
      const lateTombstone = c.rows('deleted-items').at(-1)!;
      c.removeRaw('deleted-items', lateTombstone.id);
      c.clock.advance(1000);
      c.deletePrice(b.id);
      c.clock.advance(2000);
      await withRuntime(env, async (rt) => {
        await (await import('../../src/sync/sync')).sync(rt.ctx);
        // The fault happened: b's tombstone was applied, a's was not yet visible.
        const docs = await exportDocs(rt);
        expect(priced(docs, b)).toBe(priced(before, b) - 1);
        expect(priced(docs, a)).toBe(priced(before, a));
      });
      c.putRaw('deleted-items', lateTombstone);
      c.clock.advance(10_000);
      await withRuntime(env, async (rt) => {
        await (await import('../../src/sync/sync')).sync(rt.ctx);
        expect(priced(await exportDocs(rt), a)).toBe(priced(before, a) - 1);
        expect(await compare(sandbox, rt)).toEqual({ lost: 0, duplicates: 0, equal: true });
      });
    });
  }, 120_000);
});

describe('the wrong source', () => {
  test('a remote sink is never fed from the built-in sandbox by default: exit 2 before any engine is asked', async () => {
    const dir = tempDir();
    const base = { STATE_PATH: `${dir}/state.db`, SQLITE_PATH: `${dir}/index.db`, LOG_LEVEL: 'silent', SANDBOX_PRODUCTS: '40' };
    // Nothing listens at these: the refusal comes from the configuration alone.
    const remote = {
      elasticsearch: { SINK: 'elasticsearch', ES_URL: 'http://127.0.0.1:9' },
      meilisearch: { SINK: 'meilisearch', MEILI_URL: 'http://127.0.0.1:9' },
    };
    for (const [sink, env] of Object.entries(remote)) {
      const r = await runCli(['rebuild'], { ...base, ...env });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^feeder: AKINON_URL: required with SINK=${sink}: .*AKINON_URL=sandbox`));
    }
  }, 120_000);

  testUnless(engineSkipReason('elasticsearch'))(
    'AKINON_URL=sandbox opts a remote sink in to the built-in sandbox',
    async () => {
      const dir = tempDir();
      const base = { STATE_PATH: `${dir}/state.db`, SQLITE_PATH: `${dir}/index.db`, LOG_LEVEL: 'silent', SANDBOX_PRODUCTS: '40' };
      const env = { ...base, ...sinkEnv('elasticsearch', engines), AKINON_URL: 'sandbox' };
      const ok = await runCli(['rebuild'], env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^rebuild: 40 documents live/);
    },
    120_000,
  );

  test.each(SINKS)(
    'the index remembers its source: a fresh state over an index another source built exits 2; an explicit rebuild replaces it (%s)',
    async (sink) => {
      await withSandbox({ products: 30, seed: 18 }, async (first) => {
        await withSandbox({ products: 25, seed: 19 }, async (second) => {
          const index = sinkEnv(sink, engines);
          const envFirst = feederEnv(first, tempDir(), index);
          await withRuntime(envFirst, (rt) => rebuild(rt.ctx));
          const before = await withRuntime(envFirst, (rt) => exportDocs(rt));
          // The state store is lost (a new volume); the index is not. Its sqlite file is shared too.
          const envSecond = { ...feederEnv(second, tempDir(), index), SQLITE_PATH: envFirst.SQLITE_PATH };
          await withRuntime(envSecond, async (rt) => expect((await rt.ctx.sink.stamp('products'))?.source).toBe(`${first.url} channel 1`));
          for (const args of [['sync'], ['serve']]) {
            const r = await runCli(args, { ...envSecond, PORT: '0' });
            expect({ args, code: r.code }).toEqual({ args, code: 2 });
            expect(r.stderr).toContain(
              `feeder: AKINON_URL: the index ${index.INDEX_NAME} was built from ${first.url} channel 1, not from ${second.url} channel 1`,
            );
          }
          await withRuntime(envFirst, async (rt) => expect(await exportDocs(rt)).toEqual(before));
          expect((await runCli(['rebuild'], envSecond)).code).toBe(0);
          await withRuntime(envSecond, async (rt) => {
            expect((await rt.ctx.sink.stamp('products'))?.source).toBe(`${second.url} channel 1`);
            expect(await compare(second, rt)).toEqual({ lost: 0, duplicates: 0, equal: true });
          });
        });
      });
    },
    120_000,
  );

  test('a run against another source exits 2 naming it and leaves the index alone; an explicit rebuild switches', async () => {
    await withSandbox({ products: 50, seed: 16 }, async (first) => {
      await withSandbox({ products: 45, seed: 17 }, async (second) => {
        const dir = tempDir();
        const envFirst = feederEnv(first, dir);
        const envSecond = feederEnv(second, dir);
        await withRuntime(envFirst, (rt) => rebuild(rt.ctx));
        const before = await withRuntime(envFirst, (rt) => exportDocs(rt));
        for (const args of [['sync'], ['reconcile'], ['serve']]) {
          const r = await runCli(args, { ...envSecond, PORT: '0' });
          expect({ args, code: r.code }).toEqual({ args, code: 2 });
          expect(
            r.stderr
              .trim()
              .split('\n')
              .filter((l) => l.startsWith('feeder:')),
          ).toEqual([
            expect.stringMatching(
              new RegExp(`^feeder: AKINON_URL: the state at STATE_PATH and its index were built from ${first.url} channel 1, not from ${second.url} channel 1`),
            ),
          ]);
        }
        await withRuntime(envFirst, async (rt) => expect(await exportDocs(rt)).toEqual(before));
        const switched = await runCli(['rebuild'], envSecond);
        expect(switched.code).toBe(0);
        await withRuntime(envSecond, async (rt) => expect(await compare(second, rt)).toEqual({ lost: 0, duplicates: 0, equal: true }));
        // The first source is now the foreign one.
        expect((await runCli(['sync'], envFirst)).code).toBe(2);
      });
    });
  }, 120_000);
});
