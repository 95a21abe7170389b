import { Client } from '@elastic/elasticsearch';
import { rebuild } from '../../src/sync/rebuild';
import { startElasticsearch, type EsNode } from '../support/elasticsearch';
import { expectOutageRepaired, sinkContract } from './sink-contract';
import { exportDocs, withFeeder } from '../helpers/harness';
import { live } from '../../src/sink/types';
import { testUnless } from '../helpers/skip';

// A real node: ES_URL when set (e.g. the docker-compose one), else the test distribution started here.
let es: EsNode;
beforeAll(async () => {
  es = await startElasticsearch();
}, 600_000);
afterAll(async () => {
  await es?.stop();
});

const esEnv = (index: string) => ({ SINK: 'elasticsearch', ES_URL: es.url, INDEX_NAME: index, ES_REPLICAS: '0' });

sinkContract('elasticsearch', () => ({ env: esEnv }));

describe('elasticsearch specifics', () => {
  test('indexes are physical behind an alias; a rebuild swaps the alias and deletes the old index', async () => {
    await withFeeder({ products: 60, seed: 61 }, esEnv('swapcheck'), async (_sandbox, rt) => {
      const client = new Client({ node: es.url });
      try {
        await rebuild(rt.ctx);
        const first = Object.keys(await client.indices.getAlias({ name: 'swapcheck' }));
        await rebuild(rt.ctx);
        const second = Object.keys(await client.indices.getAlias({ name: 'swapcheck' }));
        expect(first).toHaveLength(1);
        expect(second).toHaveLength(1);
        expect(second[0]).not.toBe(first[0]);
        expect(await client.indices.exists({ index: first[0] })).toBe(false);
        const settings = await client.indices.getSettings({ index: second[0] });
        expect(settings[second[0]].settings?.index?.refresh_interval).toBeUndefined();
        expect(Object.keys(await client.indices.getAlias({ name: 'swapcheck_categories' }))).toHaveLength(1);
      } finally {
        await client.close();
      }
    });
  });

  test('a document the cluster rejects is quarantined with its reason; the rest of the batch lands', async () => {
    await withFeeder({ products: 80, seed: 62 }, esEnv('rejects'), async (sandbox, rt) => {
      const { catalog } = sandbox;
      // Over the mapping's limit: 2,500 attributes make 5,000 label fields (limit 2,000).
      const wide = { ...catalog.rows('products/products')[10] };
      const attributes = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`attr_${i}`, i]));
      catalog.updateProduct(wide.id, { attributes });
      const summary = await rebuild(rt.ctx);
      // Rejected on the load and again by the catch-up (it was edited after the rebuild began).
      expect(summary.rejected).toBeGreaterThanOrEqual(1);
      expect(summary.written).toBe(79);
      const rejected = rt.ctx.store.quarantined().filter((r) => r.resource === 'product_documents');
      expect(rejected).toHaveLength(1);
      const [q] = rejected;
      expect(q.record_key).toBe(String(wide.id));
      expect(q.reason).toMatch(/Limit of total fields \[2000\]/);
      expect((await exportDocs(rt)).map((d) => d.id)).not.toContain(String(wide.id));
      expect(await rt.ctx.sink.count(live(rt.ctx.sink, 'products'))).toBe(79);
    });
  });

  const killable = testUnless(process.env.ES_URL ? 'an external cluster (ES_URL) cannot be killed from here' : null);
  killable('Elasticsearch killed mid-sync: the run fails cleanly, the watermark stays, the next run after restart repairs', async () => {
    await withFeeder({ products: 200, seed: 63 }, { ...esEnv('killed'), ES_REQUEST_TIMEOUT_MS: '5000' }, (sandbox, rt) =>
      expectOutageRepaired(sandbox, rt, { down: () => es.kill!(), up: () => es.restart!() }, 40),
    );
  });
});
