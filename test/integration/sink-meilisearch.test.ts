/*
 * The Meilisearch sink against the contract double in test/support, or against a real Meilisearch
 * when MEILI_URL (and MEILI_API_KEY) are set:
 *   MEILI_URL=http://localhost:7700 MEILI_API_KEY=... npx jest test/integration/sink-meilisearch.test.ts
 * Tests that flip the double's fault switches only run against the double.
 */
import { MeiliSearch } from 'meilisearch';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { SinkError } from '../../src/errors';
import { MeilisearchSink } from '../../src/sink/meilisearch';
import { MeilisearchDouble } from '../support/meilisearch-double';
import { expectOutageRepaired, sinkContract } from './sink-contract';
import { exportDocs, letTimePass, referenceDocs, withFeeder } from '../helpers/harness';

const real = process.env.MEILI_URL;
const apiKey = process.env.MEILI_API_KEY ?? 'double-search-feeder-key';
let double: MeilisearchDouble | null = null;
let url: string;

beforeAll(async () => {
  if (real) url = real;
  else {
    double = new MeilisearchDouble({ apiKey, payloadLimitBytes: 100 * 1024 * 1024 });
    url = await double.start();
  }
});
afterAll(async () => {
  await double?.stop();
});

const meiliEnv = (index: string) => ({ SINK: 'meilisearch', MEILI_URL: url, MEILI_API_KEY: apiKey, INDEX_NAME: index });
const onlyDouble = real ? test.skip : test;

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

  onlyDouble('a failed documents task stops the run with the engine message and code; watermarks stay; the next run repairs', async () => {
    await withFeeder({ products: 120, seed: 72 }, meiliEnv('mfail'), async (sandbox, rt) => {
      try {
        await rebuild(rt.ctx);
        for (let i = 0; i < 20; i++) sandbox.catalog.randomMutation();
        letTimePass(sandbox);
        const before = rt.ctx.store.cursors();
        double!.faults.failTasks = {
          count: 1,
          types: ['documentAdditionOrUpdate'],
          code: 'internal',
          message: 'An internal error has occurred. `No space left on device`.',
        };
        const failure = await sync(rt.ctx).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(SinkError);
        expect((failure as Error).message).toMatch(/No space left on device.*\[internal\]/);
        expect(rt.ctx.store.cursors()).toEqual(before);
        await sync(rt.ctx);
        expect(await exportDocs(rt)).toEqual((await referenceDocs(sandbox)).products);
      } finally {
        double!.faults = {};
      }
    });
  });

  onlyDouble('a failed settings task stops the rebuild; the live index is untouched', async () => {
    await withFeeder({ products: 60, seed: 73 }, meiliEnv('msettings'), async (sandbox, rt) => {
      try {
        await rebuild(rt.ctx);
        const before = await exportDocs(rt);
        sandbox.catalog.setPrice(sandbox.catalog.rows('catalogs/product-prices')[0].id, 1.23);
        double!.faults.failTasks = {
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
        double!.faults = {};
      }
    });
  });

  onlyDouble('the engine refusing connections mid-sync: the run fails, watermarks stay, the run after it comes back repairs', async () => {
    const port = Number(new URL(url).port);
    try {
      await withFeeder({ products: 100, seed: 75 }, meiliEnv('mdown'), (sandbox, rt) =>
        expectOutageRepaired(sandbox, rt, { down: () => double!.stop(), up: async () => void (await double!.start(port)) }, 20),
      );
    } finally {
      if (
        !(await fetch(`${url}/health`).then(
          () => true,
          () => false,
        ))
      )
        await double!.start(port);
    }
  });

  test('a document the engine refuses is found by halving its batch and rejected alone; the rest lands', async () => {
    const sink = new MeilisearchSink({ url, apiKey, indexName: 'mreject', payloadLimitBytes: 1_000_000, concurrency: 2, taskTimeoutMs: 60_000 });
    const target = await sink.create('products', 1);
    const docs = Array.from({ length: 40 }, (_, i) => ({ id: String(i + 1), product_id: i + 1, name: `P${i + 1}` }));
    docs[17] = { ...docs[17], id: 'not valid!' };
    const rejected = await sink.write(target, docs);
    expect(rejected.map((r) => r.id)).toEqual(['not valid!']);
    expect(rejected[0].reason).toMatch(/invalid_document_id/);
    expect(await sink.count(target)).toBe(39);
    await sink.drop(target);
  });

  onlyDouble('a 25 MB batch is split so no request exceeds the payload limit', async () => {
    const limit = 1_000_000;
    const sink = new MeilisearchSink({ url, apiKey, indexName: 'mbig', payloadLimitBytes: limit, concurrency: 2, taskTimeoutMs: 60_000 });
    const target = await sink.create('products', 1);
    const filler = 'x'.repeat(50_000);
    const docs = Array.from({ length: 500 }, (_, i) => ({ id: String(i + 1), product_id: i + 1, name: `P${i + 1}`, attributes: { blob: filler } }));
    expect(Buffer.byteLength(JSON.stringify(docs))).toBeGreaterThan(25_000_000);
    double!.maxBodyBytes = 0;
    expect(await sink.write(target, docs)).toEqual([]);
    expect(double!.maxBodyBytes).toBeLessThanOrEqual(limit);
    expect(await sink.count(target)).toBe(500);
    await sink.drop(target);
  });

  onlyDouble('wrong API key: the run fails with the engine code, and the key appears nowhere', async () => {
    await withFeeder({ products: 20, seed: 74 }, { ...meiliEnv('mkey'), MEILI_API_KEY: 'wrong-secret-key-123' }, async (_sandbox, rt) => {
      const failure = (await rebuild(rt.ctx).catch((e: unknown) => e)) as Error;
      expect(failure.message).toMatch(/invalid_api_key/);
      expect(failure.message).not.toContain('wrong-secret-key-123');
      expect(JSON.stringify(rt.ctx.store.recentRuns(5))).not.toContain('wrong-secret-key-123');
    });
  });
});
