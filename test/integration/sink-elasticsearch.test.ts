import { Client } from '@elastic/elasticsearch';
import { rebuild } from '../../src/sync/rebuild';
import { startElasticsearch, type EsNode } from '../support/elasticsearch';
import { clusterSinkFaults, sinkContract } from './sink-contract';
import { withFeeder } from '../helpers/harness';

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

  clusterSinkFaults('Elasticsearch', () => ({ env: esEnv, node: es, external: process.env.ES_URL ? 'ES_URL' : null }));
});
