import type { Sandbox } from '../../src/sandbox/server';
import { eventually, getJson, startServe, type ServeProcess } from '../helpers/cli';
import { feederEnv, letTimePass, startSandbox, tempDir } from '../helpers/harness';
import type { ServiceStatus } from '../../src/service/status';

/*
 * The operator endpoints the console reads and drives (GET /status, GET /events, POST
 * /quarantine/retry and /quarantine/purge), and how the page is served: on PORT only, with its
 * Content-Security-Policy and long-cached hashed assets. Real `feeder serve` processes.
 */

const ADMIN = 'console-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };

/** The events of a GET /events stream, as they arrive. */
function readEvents(url: string): { events: { event: string; data: unknown }[]; close(): void } {
  const events: { event: string; data: unknown }[] = [];
  const abort = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/events`, { signal: abort.signal });
    let buffer = '';
    for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return { events, close: () => abort.abort() };
}

describe('the console endpoints', () => {
  let sandbox: Sandbox;
  let serve: ServeProcess;
  beforeAll(async () => {
    sandbox = await startSandbox({ products: 120, seed: 77 });
    serve = await startServe(feederEnv(sandbox, tempDir(), { ADMIN_TOKEN: ADMIN, SYNC_CRON: '0 0 1 1 *', SEARCH_PORT: '0' }));
    await eventually(async () => ((await getJson<ServiceStatus>(`${serve.url}/status`)).body.ok ? true : undefined));
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
    await sandbox.stop();
  });

  test("/events streams the status, a run's progress and its end; the quarantine is listed, retried and purged with the token", async () => {
    const stream = readEvents(serve.url);
    try {
      await eventually(async () => (stream.events.some((e) => e.event === 'status') ? true : undefined));
      // Three prices the source sends broken: the sync quarantines them.
      const c = sandbox.catalog;
      const price = c.rows('catalogs/product-prices')[0];
      for (let i = 1; i <= 3; i++) c.putRaw('catalogs/product-prices', { ...price, id: 880_000 + i, price: 'abc', modified_date: c.clock.stamp() });
      letTimePass(sandbox);
      const started = await fetch(`${serve.url}/sync`, { method: 'POST', headers: auth });
      expect([started.status, await started.json()]).toEqual([202, { started: 'sync' }]);
      const after = await eventually(async () => {
        const s = stream.events.filter((e) => e.event === 'status').map((e) => e.data as ServiceStatus);
        return s.find((x) => x.quarantine.count === 3 && x.runs[0].kind === 'sync' && x.running === null);
      });
      const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data as { kind: string } | null);
      expect(progress[0]).toMatchObject({ kind: 'sync', why: 'request', phase: 'starting' });
      expect(progress[progress.length - 1]).toBeNull();
      expect(after.runs[0]).toMatchObject({ kind: 'sync', outcome: 'succeeded', quarantined: 3, error: null, code: null });
      expect(after.quarantine.records.map((r) => [r.resource, r.key])).toEqual(
        expect.arrayContaining([1, 2, 3].map((i) => ['product_prices', String(880_000 + i)])),
      );
      expect(after.quarantine.records[0].reason).toMatch(/price/);

      // A rebuild reports its phases and its figures as it goes.
      const seen = stream.events.length;
      expect((await fetch(`${serve.url}/rebuild`, { method: 'POST', headers: auth })).status).toBe(202);
      await eventually(async () => {
        const s = stream.events
          .slice(seen)
          .filter((e) => e.event === 'status')
          .map((e) => e.data as ServiceStatus);
        return s.find((x) => x.runs[0].kind === 'rebuild' && x.running === null);
      });
      const phases = stream.events
        .slice(seen)
        .filter((e) => e.event === 'progress' && e.data !== null)
        .map((e) => e.data as { kind: string; phase: string; rowsCrawled: number; documents: number });
      expect(phases.every((p) => p.kind === 'rebuild')).toBe(true);
      expect([...new Set(phases.map((p) => p.phase))]).toEqual(['starting', 'crawl', 'build', 'catch-up', 'swap']);
      expect(phases.find((p) => p.phase === 'crawl' && p.rowsCrawled > 0)).toBeDefined();
      expect(phases[phases.length - 1].documents).toBeGreaterThanOrEqual(120);
    } finally {
      stream.close();
    }

    // Refused without the token, then a retry (still broken: still quarantined) and a purge.
    for (const url of ['/quarantine/retry', '/quarantine/purge']) {
      const refused = await fetch(`${serve.url}${url}`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-000000000' } });
      expect(refused.status).toBe(401);
      expect((await fetch(`${serve.url}${url}`)).status).toBe(405);
    }
    const attempts = async () => (await getJson<ServiceStatus>(`${serve.url}/status`)).body.quarantine.records.map((r) => r.attempts);
    const before = await attempts();
    expect(before).toHaveLength(3);
    const retry = await fetch(`${serve.url}/quarantine/retry`, { method: 'POST', headers: auth });
    expect([retry.status, await retry.json()]).toEqual([202, { started: 'quarantine-retry' }]);
    await eventually(async () => ((await getJson<ServiceStatus>(`${serve.url}/status`)).body.running === null ? true : undefined));
    // Fetched again, still broken: each one more attempt.
    expect(await attempts()).toEqual(before.map((n) => n + 1));
    const purge = await fetch(`${serve.url}/quarantine/purge?resource=product_prices`, { method: 'POST', headers: auth });
    expect([purge.status, await purge.json()]).toEqual([200, { removed: 3 }]);
    expect((await getJson<ServiceStatus>(`${serve.url}/status`)).body.quarantine).toEqual({ count: 0, records: [] });
  });

  test('the page is served on PORT, never on SEARCH_PORT, with a strict CSP, and hashed assets cached for good', async () => {
    const searchUrl = /"search":"(http:[^"]+)\/search"/.exec(serve.output())![1];
    expect(searchUrl).not.toBe(serve.url);
    const page = await fetch(`${serve.url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    // Images of the catalog's own image host (read from the staged image rows).
    expect(csp).toMatch(/img-src 'self' https:\/\/cdn\.sandbox\.local/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>|\sstyle="|\son\w+="/);
    const script = /<script type="module" src="(\/console\/assets\/main-[A-Z0-9]+\.js)">/.exec(html)![1];
    const asset = await fetch(`${serve.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The search API's own port serves no console, no preview and no operator endpoint.
    for (const url of ['/', script, '/preview/list/', '/status', '/events']) expect((await fetch(`${searchUrl}${url}`)).status).toBe(404);
    // Nothing secret reaches the page or the status.
    const status = await (await fetch(`${serve.url}/status`)).text();
    for (const secret of [ADMIN, sandbox.token]) {
      expect(html).not.toContain(secret);
      expect(status).not.toContain(secret);
    }
    // The sandbox's images (its host does not exist) are drawn by the console.
    const picture = await fetch(`${serve.url}/console/media/sandbox/products/1/x.jpg`);
    expect([picture.status, picture.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
  });

  test('the preview answers the Commerce routes, and with explain=1 what every search asked of the engine', async () => {
    const plain = await getJson<{ response: { pagination: { total_count: number } }; explain: null }>(`${serve.url}/preview/list/?page_size=5`);
    expect(plain.status).toBe(200);
    expect(plain.body.explain).toBeNull();
    const direct = await getJson<{ pagination: { total_count: number } }>(`${/"search":"(http:[^"]+)\/search"/.exec(serve.output())![1]}/list/?page_size=5`);
    expect(plain.body.response).toEqual(direct.body);
    const explained = await getJson<{
      response: unknown;
      explain: { ms: number; searches: { query: { limit?: number }; engine: { engine: string; request: { sql: string } }[] }[] };
    }>(`${serve.url}/preview/list/?page_size=5&explain=1`);
    expect(explained.body.response).toEqual(direct.body);
    const { searches } = explained.body.explain;
    expect(searches.some((s) => s.query.limit === 5)).toBe(true);
    const requests = searches.flatMap((s) => s.engine);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.engine === 'sqlite' && typeof r.request.sql === 'string')).toBe(true);
    expect((await fetch(`${serve.url}/preview/list/?page=0`)).status).toBe(400);
  });
});
