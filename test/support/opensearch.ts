/*
 * A real OpenSearch for tests and benchmarks (see cluster.ts for how it is fetched and started):
 * `org.opensearch.distribution.integ-test-zip:opensearch:2.19.6`, the last 2.x, which runs on
 * Java 17 (3.x needs Java 21). The zip has no security plugin, so it serves plain HTTP.
 * With OPENSEARCH_URL set, that cluster is used as it is.
 */
import { startNode, type ClusterNode, type Distribution } from './cluster';

export const OPENSEARCH_VERSION = '2.19.6';

const OPENSEARCH: Distribution = {
  name: 'opensearch',
  label: 'OpenSearch',
  version: OPENSEARCH_VERSION,
  artifact: `org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip`,
  envPrefix: 'OPENSEARCH',
  insecure: [],
};

export async function startOpenSearch(): Promise<ClusterNode> {
  if (process.env.OPENSEARCH_URL) return { url: process.env.OPENSEARCH_URL, stop: async () => undefined };
  return startNode(OPENSEARCH);
}
