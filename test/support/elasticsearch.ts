/*
 * A real Elasticsearch for tests and benchmarks (see cluster.ts for how it is fetched and started).
 * With ES_URL set, that cluster is used as it is.
 *
 * Version: 8.19 with client 8.19 — Maven Central serves no 9.x integ-test-zip (only 8.19.x), and
 * the client's major must match the server's. 8.19 runs on the machine's default Java 17.
 */
import { startNode, type ClusterNode, type Distribution } from './cluster';

export const ES_VERSION = '8.19.21';

const ELASTICSEARCH: Distribution = {
  name: 'elasticsearch',
  label: 'Elasticsearch',
  version: ES_VERSION,
  artifact: `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip`,
  envPrefix: 'ES',
  insecure: ['-Expack.security.enabled=false'],
};

export type EsNode = ClusterNode;

/**
 * `secured`: security on (HTTP without TLS), with this file-realm superuser — for the auth tests.
 * Always a node of our own, even when ES_URL is set.
 */
export async function startElasticsearch(opts: { secured?: { username: string; password: string } } = {}): Promise<EsNode> {
  if (process.env.ES_URL && !opts.secured) return { url: process.env.ES_URL, stop: async () => undefined };
  const { secured } = opts;
  if (!secured) return startNode(ELASTICSEARCH);
  return startNode(ELASTICSEARCH, {
    extraArgs: ['-Expack.security.enabled=true', '-Expack.security.http.ssl.enabled=false', '-Expack.security.transport.ssl.enabled=false'],
    setup: (run) => run('elasticsearch-users', ['useradd', secured.username, '-p', secured.password, '-r', 'superuser']),
    auth: `Basic ${Buffer.from(`${secured.username}:${secured.password}`).toString('base64')}`,
  });
}
