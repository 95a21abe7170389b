/*
 * Elasticsearch with security on: basic auth and API keys work, wrong credentials fail the run
 * with the cluster's answer, and no credential ever appears in what the feeder prints or stores.
 */
import { startElasticsearch, type EsNode } from '../support/elasticsearch';
import { runCli } from '../helpers/cli';
import { feederEnv, startSandbox, tempDir } from '../helpers/harness';
import type { Sandbox } from '../../src/sandbox/server';
import { describeWithEngine } from '../helpers/skip';

describeWithEngine('elasticsearch', 'Elasticsearch with security on', () => {
  const user = { username: 'feeder_admin', password: 'es-SECRET-pass-9f8e7d' };
  let es: EsNode;
  let sandbox: Sandbox;

  beforeAll(async () => {
    es = await startElasticsearch({ secured: user });
    sandbox = await startSandbox({ products: 40, seed: 81 });
  }, 600_000);
  afterAll(async () => {
    await sandbox?.stop();
    await es?.stop();
  });

  const env = (extra: Record<string, string>) =>
    feederEnv(sandbox, tempDir(), { SINK: 'elasticsearch', ES_URL: es.url, ES_REPLICAS: '0', INDEX_NAME: 'secured', LOG_LEVEL: 'info', ...extra });

  test('basic auth: a rebuild and a search work', async () => {
    const e = env({ ES_USERNAME: user.username, ES_PASSWORD: user.password });
    const rebuilt = await runCli(['rebuild'], e);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/^rebuild: 40 documents live/);
    const found = JSON.parse((await runCli(['search', '--json', '--limit', '1'], e)).stdout) as { total: number };
    expect(found.total).toBe(40);
    expect(rebuilt.stdout + rebuilt.stderr).not.toContain(user.password);
  });

  test('API key: sent as `Authorization: ApiKey …`, never printed', async () => {
    // The test distribution cannot mint API keys (the security index needs analysis-common), so a
    // loopback listener stands in for the cluster and answers as a secured cluster does.
    const http = await import('node:http');
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(401, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify({ error: { type: 'security_exception', reason: 'unable to authenticate with provided credentials' }, status: 401 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const key = 'ZXMtU0VDUkVULWtleS1pZDplcy1TRUNSRVQta2V5';
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const r = await runCli(['rebuild'], env({ ES_URL: `http://127.0.0.1:${port}`, ES_API_KEY: key, LOG_LEVEL: 'debug' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/401 security_exception/);
      expect(seen[0]).toBe(`ApiKey ${key}`);
      expect(r.stdout + r.stderr).not.toContain(key);
    } finally {
      server.close();
    }
  });

  test('wrong password: the run fails (exit 1) with the cluster answer, and the password appears nowhere', async () => {
    const wrong = 'es-SECRET-wrong-123456';
    const e = env({ ES_USERNAME: user.username, ES_PASSWORD: wrong, LOG_LEVEL: 'debug' });
    const r = await runCli(['rebuild'], e);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/401 security_exception/);
    const status = await runCli(['status', '--json'], { ...e, ES_PASSWORD: user.password });
    for (const text of [r.stdout, r.stderr, status.stdout]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(user.password);
    }
  });
});
