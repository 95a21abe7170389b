import { Client } from '@elastic/elasticsearch';
import { rebuild } from '../../src/sync/rebuild';
import { startElasticsearch, type EsNode } from '../support/elasticsearch';
import { clusterSinkFaults, sinkContract } from './sink-contract';
import { exportDocs, withFeeder } from '../helpers/harness';
import { readMapping } from '../../src/sink/mappings';
import { live } from '../../src/sink/types';
import { describeWithEngine } from '../helpers/skip';

describeWithEngine('elasticsearch', 'a real Elasticsearch', () => {
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

    test("an index built by an earlier version (a strict mapping without image ids) takes this version's documents", async () => {
      await withFeeder({ products: 40, seed: 62 }, esEnv('olderindex'), async (_sandbox, rt) => {
        const client = new Client({ node: es.url });
        try {
          await rebuild(rt.ctx);
          const docs = (await exportDocs(rt)).filter((d) => (d.images as unknown[]).length > 0);
          // The earlier version's index: the same mapping without `images.id`, behind the public name.
          const body = readMapping<{ settings: Record<string, unknown>; mappings: { properties: Record<string, { properties?: Record<string, unknown> }> } }>(
            'products.json',
          );
          delete body.mappings.properties.images.properties!.id;
          const [current] = Object.keys(await client.indices.getAlias({ name: 'olderindex' }));
          await client.indices.create({ index: 'olderindex_earlier', settings: body.settings, mappings: body.mappings as never });
          await client.indices.updateAliases({
            actions: [{ remove: { index: current, alias: 'olderindex' } }, { add: { index: 'olderindex_earlier', alias: 'olderindex' } }],
          });
          // The fault: that mapping refuses a document of this version.
          const refused = await client.index({ index: 'olderindex_earlier', id: 'probe', document: docs[0] }).then(
            () => 'accepted',
            (err: Error) => err.message,
          );
          expect(refused).toMatch(/strict_dynamic_mapping_exception/);
          expect(await rt.ctx.sink.write(live(rt.ctx.sink, 'products'), docs)).toEqual([]);
          const mapping = await client.indices.getMapping({ index: 'olderindex_earlier' });
          expect(mapping.olderindex_earlier.mappings.properties?.images).toMatchObject({ properties: { id: { type: 'long' } } });
        } finally {
          await client.close();
        }
      });
    });

    clusterSinkFaults('Elasticsearch', () => ({ env: esEnv, node: es, external: process.env.ES_URL ? 'ES_URL' : null }));
  });
});
