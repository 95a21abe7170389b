/*
 * The Meilisearch sink against the real engine (test/support/meilisearch.ts: the team's 1.50 binary
 * on a free loopback port, with a scoped API key), or against an external one when MEILI_URL (and
 * MEILI_API_KEY) are set:
 *   MEILI_URL=http://localhost:7700 MEILI_API_KEY=... npx jest test/integration/sink-meilisearch.test.ts
 * Faults come from the real engine wherever it can produce them: killed and restarted mid-sync, its
 * own payload size limit, a wrong key, documents it refuses. The contract double serves only what a
 * real engine cannot be made to do on demand; each use says why. Tests that must start or kill an
 * engine of their own are skipped, visibly, against an external one.
 */
import { MeiliSearch } from 'meilisearch';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { SinkError } from '../../src/errors';
import { MeilisearchSink } from '../../src/sink/meilisearch/sink';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { MeilisearchDouble } from '../support/meilisearch-double';
import { startMeilisearch, type MeiliNode } from '../support/meilisearch';
import { expectOutageRepaired, sinkContract } from './sink-contract';
import { exportDocs, letTimePass, referenceDocs, withFeeder } from '../helpers/harness';
import { testUnless } from '../helpers/skip';
import { describeWithEngine } from '../helpers/skip';

describeWithEngine('meilisearch', 'a real Meilisearch', () => {
  const external = Boolean(process.env.MEILI_URL);
  const ownEngine = testUnless(external ? 'an external engine (MEILI_URL) cannot be killed or reconfigured from here' : null);
  let engine: MeiliNode;
  let url: string;
  let apiKey: string;

  beforeAll(async () => {
    engine = await startMeilisearch();
    ({ url, apiKey } = engine);
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });

  const meiliEnv = (index: string) => ({ SINK: 'meilisearch', MEILI_URL: url, MEILI_API_KEY: apiKey, INDEX_NAME: index });

  sinkContract('meilisearch', () => ({ env: meiliEnv }));

  describe('meilisearch specifics', () => {
    test('rebuild: settings before documents, swap-indexes, old index deleted; no key in errors', async () => {
      await withFeeder({ products: 50, seed: 71 }, meiliEnv('mswap'), async (_sandbox, rt) => {
        const client = new MeiliSearch({ host: url, apiKey });
        await rebuild(rt.ctx);
        await rebuild(rt.ctx);
        const uids = (await client.getIndexes({ limit: 1000 })).results.map((i) => i.uid).filter((u) => u.startsWith('mswap'));
        // The public indexes, and the one-document companions that remember which source built them.
        expect(uids.sort()).toEqual(['mswap', 'mswap__origin', 'mswap_categories', 'mswap_categories__origin']);
        const settings = await client.index('mswap').getSettings();
        expect(settings.sortableAttributes).toEqual(expect.arrayContaining(['price', 'created_date', 'discount_percentage']));
        expect(settings.rankingRules?.[0]).toBe('sort');
        // Task order on the new index: creation, then settings, then documents.
        const tasks = (await client.tasks.getTasks({ types: ['indexCreation', 'settingsUpdate', 'documentAdditionOrUpdate'], limit: 1000 })).results;
        const firstDocs = Math.min(...tasks.filter((t) => t.type === 'documentAdditionOrUpdate').map((t) => t.uid));
        const settingsBefore = tasks.filter((t) => t.type === 'settingsUpdate' && t.uid < firstDocs);
        expect(settingsBefore.length).toBeGreaterThan(0);
      });
    });

    // The double: a real engine cannot be made to fail a documents task with an internal error
    // (`No space left on device`) on demand.
    test('a failed documents task stops the run with the engine message and code; watermarks stay; the next run repairs', async () => {
      const double = new MeilisearchDouble({ apiKey: 'double-search-feeder-key' });
      const doubleUrl = await double.start();
      await withFeeder({ products: 120, seed: 72 }, { ...meiliEnv('mfail'), MEILI_URL: doubleUrl, MEILI_API_KEY: double.opts.apiKey }, async (sandbox, rt) => {
        try {
          await rebuild(rt.ctx);
          for (let i = 0; i < 20; i++) sandbox.catalog.randomMutation();
          letTimePass(sandbox);
          const before = rt.ctx.store.cursors.all();
          double.faults.failTasks = {
            count: 1,
            types: ['documentAdditionOrUpdate'],
            code: 'internal',
            message: 'An internal error has occurred. `No space left on device`.',
          };
          const failure = await sync(rt.ctx).catch((e: unknown) => e);
          expect(failure).toBeInstanceOf(SinkError);
          expect((failure as Error).message).toMatch(/No space left on device.*\[internal\]/);
          expect(rt.ctx.store.cursors.all()).toEqual(before);
          await sync(rt.ctx);
          expect(await exportDocs(rt)).toEqual((await referenceDocs(sandbox)).products);
        } finally {
          await double.stop();
        }
      });
    });

    // The double: the feeder sends valid settings by construction, and a real engine refuses settings
    // only when they are invalid; the double fails a settings task on demand.
    test('a failed settings task stops the rebuild; the live index is untouched', async () => {
      const double = new MeilisearchDouble({ apiKey: 'double-search-feeder-key' });
      const doubleUrl = await double.start();
      await withFeeder(
        { products: 60, seed: 73 },
        { ...meiliEnv('msettings'), MEILI_URL: doubleUrl, MEILI_API_KEY: double.opts.apiKey },
        async (sandbox, rt) => {
          try {
            await rebuild(rt.ctx);
            const before = await exportDocs(rt);
            sandbox.catalog.setPrice(sandbox.catalog.rows('catalogs/product-prices')[0].id, 1.23);
            double.faults.failTasks = {
              count: 1,
              types: ['settingsUpdate'],
              code: 'invalid_settings_ranking_rules',
              message: '`rankingRules` field is invalid (fault injected).',
            };
            const failure = await rebuild(rt.ctx).then(
              () => null,
              (e: unknown) => e as SinkError,
            );
            expect(failure?.code).toBe('FEEDER_ERR_SINK');
            expect(failure?.message).toContain('[invalid_settings_ranking_rules]');
            expect(await exportDocs(rt)).toEqual(before);
            await rebuild(rt.ctx);
            expect(await exportDocs(rt)).toEqual((await referenceDocs(sandbox)).products);
          } finally {
            await double.stop();
          }
        },
      );
    });

    ownEngine('the engine killed mid-sync: the run fails, watermarks stay, the run after its restart repairs', async () => {
      await withFeeder({ products: 100, seed: 75 }, meiliEnv('mdown'), (sandbox, rt) =>
        expectOutageRepaired(sandbox, rt, { down: () => engine.kill!(), up: () => engine.restart!() }, 20),
      );
    });

    test('a document the engine refuses is found by halving its batch and rejected alone; the rest lands', async () => {
      const sink = new MeilisearchSink({
        profile: BUILTIN_PROFILE,
        url,
        apiKey,
        indexName: 'mreject',
        payloadLimitBytes: 1_000_000,
        concurrency: 2,
        loadBatchSize: 5000,
        taskTimeoutMs: 60_000,
      });
      const target = await sink.create('products', 1);
      const docs = Array.from({ length: 40 }, (_, i) => ({ id: String(i + 1), product_id: i + 1, name: `P${i + 1}` }));
      docs[17] = { ...docs[17], id: 'not valid!' };
      const rejected = await sink.write(target, docs);
      expect(rejected.map((r) => r.id)).toEqual(['not valid!']);
      expect(rejected[0].reason).toMatch(/invalid_document_id/);
      expect(await sink.count(target)).toBe(39);
      await sink.drop(target);
    });

    ownEngine(
      "a 25 MB batch is split so no request exceeds the engine's own payload limit",
      async () => {
        const limit = 1_000_000;
        // An engine of its own, started with `--http-payload-size-limit` at 1 MB.
        const small = await startMeilisearch({ payloadLimitBytes: limit, external: false });
        try {
          const filler = 'x'.repeat(50_000);
          const docs = Array.from({ length: 500 }, (_, i) => ({ id: String(i + 1), product_id: i + 1, name: `P${i + 1}`, attributes: { blob: filler } }));
          expect(Buffer.byteLength(JSON.stringify(docs))).toBeGreaterThan(25_000_000);
          // The limit is real: one request over it is refused by the engine.
          const over = await fetch(`${small.url}/indexes/probe/documents`, {
            method: 'POST',
            headers: { authorization: `Bearer ${small.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(docs.slice(0, 30)),
          });
          expect(over.status).toBe(413);
          const sink = new MeilisearchSink({
            profile: BUILTIN_PROFILE,
            loadBatchSize: 5000,
            url: small.url,
            apiKey: small.apiKey,
            indexName: 'mbig',
            payloadLimitBytes: limit,
            concurrency: 2,
            taskTimeoutMs: 60_000,
          });
          const target = await sink.create('products', 1);
          expect(await sink.write(target, docs)).toEqual([]);
          expect(await sink.count(target)).toBe(500);
          await sink.drop(target);
          await sink.close();
        } finally {
          await small.stop();
        }
      },
      120_000,
    );

    test('wrong API key: the run fails with the engine code, and the key appears nowhere', async () => {
      await withFeeder({ products: 20, seed: 74 }, { ...meiliEnv('mkey'), MEILI_API_KEY: 'wrong-secret-key-123' }, async (_sandbox, rt) => {
        const failure = (await rebuild(rt.ctx).catch((e: unknown) => e)) as Error;
        expect(failure.message).toMatch(/invalid_api_key/);
        expect(failure.message).not.toContain('wrong-secret-key-123');
        expect(JSON.stringify(rt.ctx.store.runs.recent(5))).not.toContain('wrong-secret-key-123');
      });
    });
  });
});
