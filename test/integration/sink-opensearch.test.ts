/*
 * The OpenSearch sink against a real OpenSearch 2.19 (test/support/opensearch.ts: Maven Central's
 * integ-test-zip on free loopback ports), or an external cluster when OPENSEARCH_URL is set.
 */
import { Client } from '@opensearch-project/opensearch';
import { rebuild } from '../../src/sync/rebuild';
import { startOpenSearch } from '../support/opensearch';
import type { ClusterNode } from '../support/cluster';
import { clusterSinkFaults, sinkContract } from './sink-contract';
import { exportDocs, referenceDocs, withFeeder } from '../helpers/harness';
import { facetPairs } from '../../src/sink/cluster/opensearch';
import { describeWithEngine } from '../helpers/skip';

describeWithEngine('opensearch', 'a real OpenSearch', () => {
  let node: ClusterNode;
  beforeAll(async () => {
    node = await startOpenSearch();
  }, 600_000);
  afterAll(async () => {
    await node?.stop();
  });

  const osEnv = (index: string) => ({ SINK: 'opensearch', OPENSEARCH_URL: node.url, INDEX_NAME: index, ES_REPLICAS: '0' });

  sinkContract('opensearch', () => ({ env: osEnv }));

  describe('opensearch specifics', () => {
    test('indexes are physical behind an alias, attributes are a flat_object; a rebuild swaps the alias and deletes the old index', async () => {
      await withFeeder({ products: 60, seed: 61 }, osEnv('swapcheck'), async (_sandbox, rt) => {
        const client = new Client({ node: node.url });
        try {
          await rebuild(rt.ctx);
          const first = Object.keys((await client.indices.getAlias({ name: 'swapcheck' })).body);
          await rebuild(rt.ctx);
          const second = Object.keys((await client.indices.getAlias({ name: 'swapcheck' })).body);
          expect(first).toHaveLength(1);
          expect(second).toHaveLength(1);
          expect(second[0]).not.toBe(first[0]);
          expect((await client.indices.exists({ index: first[0] })).body).toBe(false);
          const mapping = (await client.indices.getMapping({ index: second[0] })).body[second[0]].mappings;
          expect(mapping.properties?.attributes).toEqual({ type: 'flat_object' });
          expect(String(mapping._meta?.feeder_source)).toContain('channel');
          const settings = (await client.indices.getSettings({ index: second[0] })).body[second[0]].settings;
          expect(settings?.index?.refresh_interval).toBeUndefined();
          expect(Object.keys((await client.indices.getAlias({ name: 'swapcheck_categories' })).body)).toHaveLength(1);
        } finally {
          await client.close();
        }
      });
    });

    test('the facet field is the engine’s own: documents read back are the contract documents', async () => {
      await withFeeder({ products: 40, seed: 64 }, osEnv('facetfield'), async (sandbox, rt) => {
        await rebuild(rt.ctx);
        const client = new Client({ node: node.url });
        try {
          const raw = (await client.search({ index: 'facetfield', body: { size: 1, sort: [{ product_id: 'asc' }] } })).body.hits.hits[0]._source as Record<
            string,
            unknown
          >;
          // Stored: a `key<US>value` keyword per attribute value (flat_object cannot be aggregated).
          expect(raw.feeder_facets).toEqual(facetPairs(raw.attributes));
          expect((raw.feeder_facets as string[]).length).toBeGreaterThan(0);
        } finally {
          await client.close();
        }
        expect(await exportDocs(rt)).toEqual((await referenceDocs(sandbox)).products);
      });
    });

    test('facet values as Elasticsearch flattened counts them: arrays per element, nested keys dotted, booleans as text, no nulls', () => {
      expect(facetPairs({ size: ['M', 'L'], n: 5, ok: true, none: null, dims: { w: 3 } }).map((p) => p.replace('\u001f', '='))).toEqual([
        'size=M',
        'size=L',
        'n=5',
        'ok=true',
        'dims.w=3',
      ]);
    });

    clusterSinkFaults('OpenSearch', () => ({ env: osEnv, node, external: process.env.OPENSEARCH_URL ? 'OPENSEARCH_URL' : null }));
  });
});
