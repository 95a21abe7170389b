/*
 * The search API as a storefront meets it: `feeder serve` over HTTP, with CORS, cache headers, JSON
 * 400s, per-endpoint latency histograms, request logs without query strings, its own port, and
 * answers that never fail while a rebuild loads and swaps the index.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load';
import { createSink } from '../../src/sink';
import { createLogger } from '../../src/platform/logger';
import { configuredProfile } from '../../src/profile/load';
import { eventually, getJson, runCli, startServe, type ServeProcess } from '../helpers/cli';
import { tempDir } from '../helpers/harness';
import { listenSearch } from '../helpers/search-app';
import { SearchApi, type SearchResponse } from '../../src/search/api';

const ADMIN = 'search-http-admin-token-0123456789';
const ORIGIN = 'https://shop.example.com';

function serveEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempDir();
  return {
    STATE_PATH: path.join(dir, 'state.db'),
    SQLITE_PATH: path.join(dir, 'index.db'),
    SANDBOX_PRODUCTS: '400',
    SYNC_CRON: '0 0 1 1 *',
    ADMIN_TOKEN: ADMIN,
    SEARCH_CORS_ORIGINS: `${ORIGIN}, https://m.shop.example.com`,
    SEARCH_CACHE_SECONDS: '60',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

interface LastRun {
  kind: string;
  outcome: string;
  finishedAt: string | null;
}

async function lastRun(url: string): Promise<LastRun | null> {
  return (await getJson<{ lastRun: LastRun | null }>(`${url}/healthz`)).body.lastRun;
}

/** Waits until the first rebuild (the index did not exist) has succeeded. */
async function built(serve: ServeProcess): Promise<LastRun> {
  return eventually(async () => {
    const run = await lastRun(serve.url);
    return run?.kind === 'rebuild' && run.outcome === 'succeeded' ? run : undefined;
  });
}

describe('GET /search and the Commerce routes on `feeder serve`', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(serveEnv());
    await built(serve);
  }, 120_000);
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  test('answers JSON with cache headers, and CORS for the configured origins only', async () => {
    const res = await fetch(`${serve.url}/search?q=kazak&page_size=5`, { headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')).toBe('Origin');
    const body = (await res.json()) as SearchResponse;
    expect(body.search_text).toBe('kazak');
    expect(body.pagination).toMatchObject({ current_page: 1, page_size: 5 });
    expect(body.products.length).toBeGreaterThan(0);

    // The Commerce routes answer by language too: a shared cache keeps one answer per origin and language.
    const list = await fetch(`${serve.url}/list/?page_size=1`, { headers: { origin: ORIGIN, 'accept-language': 'tr-tr' } });
    expect({ status: list.status, vary: list.headers.get('vary') }).toEqual({ status: 200, vary: 'Origin, Accept-Language' });

    const other = await fetch(`${serve.url}/search`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await fetch(`${serve.url}/autocomplete/?search_text=ka`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
  });

  test('a bad parameter is a 400 with a JSON error naming it; another method is a 405', async () => {
    for (const [query, param] of [
      ['page=0', 'page'],
      ['page_size=251', 'page_size'],
      ['sort=cheapest', 'sort'],
      ['price_min=ten', 'price_min'],
      ['price_min=9&price_max=1', 'price_min'],
      ['category=abc', 'category'],
      ['colour=red', 'colour'],
      ['q=a&q=b', 'q'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['page=500&page_size=250', 'page'],
    ]) {
      const res = await fetch(`${serve.url}/search?${query}`);
      expect({ query, status: res.status, cache: res.headers.get('cache-control') }).toEqual({ query, status: 400, cache: 'no-store' });
      expect(((await res.json()) as { param: string }).param).toBe(param);
    }
    // The Commerce routes: a known parameter with a bad value is refused; a storefront's own (layout, limit) are not.
    const list = await fetch(`${serve.url}/list/?page_size=251`);
    expect({ status: list.status, param: ((await list.json()) as { param: string }).param }).toEqual({ status: 400, param: 'page_size' });
    expect((await fetch(`${serve.url}/list/?layout=grid&limit=12&utm_source=x`)).status).toBe(200);
    expect((await fetch(`${serve.url}/search`, { method: 'POST' })).status).toBe(405);
  });

  test('declared routes: HEAD answers as GET without a body, unknown paths a JSON 404, other methods a 405 with Allow', async () => {
    const head = await fetch(`${serve.url}/search?q=kazak`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const missing = await fetch(`${serve.url}/nowhere`);
    expect({ status: missing.status, body: await missing.json() }).toEqual({ status: 404, body: { error: 'not found' } });
    const put = await fetch(`${serve.url}/healthz`, { method: 'PUT' });
    expect({ status: put.status, allow: put.headers.get('allow') }).toEqual({ status: 405, allow: 'GET, HEAD' });
    const get = await fetch(`${serve.url}/sync`);
    expect({ status: get.status, allow: get.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
  });

  test('a CORS preflight allows the headers a storefront client sends (Accept-Language, x-currency)', async () => {
    const preflight = await fetch(`${serve.url}/search?q=ka`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'accept-language, x-currency' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    expect(allowed).toContain('accept-language');
    expect(allowed).toContain('x-currency');
  });

  test('a request line over 16 KB is a JSON 431, not Node’s bare one; the service answers on', async () => {
    const res = await fetch(`${serve.url}/search?q=${'kazak%20'.repeat(2500)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { error: string }).error).toMatch(/16 KB/);
    expect((await fetch(`${serve.url}/search?q=kazak`)).status).toBe(200);
  });

  test('a refused admin token is logged at warn, without the token, and counted', async () => {
    const guess = 'Bearer guessed-token-zz-0123456789';
    expect((await fetch(`${serve.url}/sync`, { method: 'POST', headers: { authorization: guess } })).status).toBe(401);
    expect((await fetch(`${serve.url}/rebuild`, { method: 'POST' })).status).toBe(401);
    const refused = await eventually(async () => {
      const found = serve
        .output()
        .split('\n')
        .filter((l) => l.includes('admin request refused'));
      return found.length >= 2 ? found : undefined;
    });
    expect(refused.map((l) => (JSON.parse(l) as { level: number; scheme: string | null }).level)).toEqual([40, 40]);
    expect(refused.map((l) => (JSON.parse(l) as { scheme: string | null }).scheme)).toEqual(['Bearer', null]);
    expect(serve.output()).not.toContain('guessed-token');
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toMatch(/feeder_admin_auth_failures_total\{endpoint="sync"\} 1/);
    expect(metrics).toMatch(/feeder_admin_auth_failures_total\{endpoint="rebuild"\} 1/);
  });

  test('/metrics counts result cache hits and misses of the embedded index, and the bytes it holds', async () => {
    const q = `/search?q=kazak&page_size=7&page=${1 + (Date.now() % 3)}`;
    await fetch(`${serve.url}${q}`);
    await fetch(`${serve.url}${q}`);
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toMatch(/feeder_search_cache_lookups_total\{result="hit"\} [1-9]/);
    expect(metrics).toMatch(/feeder_search_cache_lookups_total\{result="miss"\} [1-9]/);
    expect(metrics).toMatch(/feeder_search_cache_bytes [1-9]/);
  });

  test('/metrics has a latency histogram per endpoint; request logs carry the path, never the query string', async () => {
    const secret = 'zzshopperwordzz';
    expect((await fetch(`${serve.url}/search?q=${secret}`)).status).toBe(200);
    expect((await fetch(`${serve.url}/autocomplete/?search_text=${secret}`)).status).toBe(200);
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toMatch(/feeder_http_request_duration_seconds_count\{endpoint="search",status="200"\} [1-9]/);
    expect(metrics).toMatch(/feeder_http_request_duration_seconds_count\{endpoint="autocomplete",status="200"\} [1-9]/);
    expect(metrics).toMatch(/feeder_http_request_duration_seconds_count\{endpoint="search",status="400"\} [1-9]/);
    const lines = await eventually(async () => {
      const found = serve
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"') && l.includes('"endpoint":"autocomplete"'));
      return found.length ? found : undefined;
    });
    expect(lines[0]).toContain('"path":"/autocomplete/"');
    expect(serve.output()).not.toContain(secret);
  });

  test('search keeps answering, complete, while a rebuild loads a new index and swaps it in', async () => {
    const before = (await getJson<SearchResponse>(`${serve.url}/search?page_size=1`)).body.pagination.total_count;
    const previous = await lastRun(serve.url);
    const started = await fetch(`${serve.url}/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(started.status).toBe(202);
    const answers: number[] = [];
    let finished: LastRun | null = null;
    // Search until the rebuild has finished, then once more on the new index.
    while (!finished) {
      const res = await fetch(`${serve.url}/search?q=a&page_size=3`);
      answers.push(res.status);
      const all = (await getJson<SearchResponse>(`${serve.url}/search?page_size=1`)).body;
      expect(all.pagination.total_count).toBe(before);
      const run = await lastRun(serve.url);
      if (run && run.finishedAt !== previous?.finishedAt && run.kind === 'rebuild') finished = run;
    }
    expect(finished.outcome).toBe('succeeded');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((s) => s !== 200)).toEqual([]);
    expect((await getJson<SearchResponse>(`${serve.url}/search?page_size=1`)).body.pagination.total_count).toBe(before);
  });
});

test('with SEARCH_PORT, search answers on its own port and the operator endpoints stay on PORT', async () => {
  const serve = await startServe(serveEnv({ SEARCH_PORT: '0' }));
  try {
    const searchUrl = await eventually(async () => /"search":"(http:[^"]+)\/search"/.exec(serve.output())?.[1]);
    expect(searchUrl).not.toBe(serve.url);
    await built(serve);
    expect((await fetch(`${searchUrl}/search?q=kazak`)).status).toBe(200);
    expect((await fetch(`${searchUrl}/healthz`)).status).toBe(404);
    expect((await fetch(`${searchUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${serve.url}/search?q=kazak`)).status).toBe(404);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
});

test('a bad SEARCH_CORS_ORIGINS exits 2 with one line naming it', async () => {
  const result = await runCli(['status'], serveEnv({ SEARCH_CORS_ORIGINS: 'shop.example.com' }));
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain('SEARCH_CORS_ORIGINS');
});

test('an engine that does not answer is a 503 with Retry-After; its reason goes to the log, not to the storefront', async () => {
  // A real Elasticsearch client against a port where nothing listens: the engine is down.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const config = loadConfig({
    AKINON_URL: 'sandbox',
    SINK: 'elasticsearch',
    ES_URL: `http://127.0.0.1:${port}`,
    ES_PASSWORD: 'engine-secret-0123',
    ES_USERNAME: 'feeder',
    ES_REQUEST_TIMEOUT_MS: '2000',
  });
  const sink = createSink(config);
  let logged = '';
  const log = createLogger('info', { pretty: false, to: new Writable({ write: (chunk: Buffer, _e, done) => ((logged += chunk.toString()), done()) }) });
  const api = new SearchApi(sink, configuredProfile(config));
  const { app, url: base } = await listenSearch(api, { log, cacheSeconds: 30 });
  const url = `${base}/search?q=kazak`;
  try {
    const res = await fetch(url);
    const body = await res.text();
    // The fault happened: the client could not connect, and said so in the log.
    expect(logged).toMatch(/search failed: the search engine did not answer/);
    expect(logged).toMatch(/ConnectionError|ECONNREFUSED/);
    expect({ status: res.status, retry: res.headers.get('retry-after'), cache: res.headers.get('cache-control') }).toEqual({
      status: 503,
      retry: '5',
      cache: 'no-store',
    });
    expect(body).not.toContain(String(port));
    expect(body).not.toContain('ConnectionError');
    expect(logged + body).not.toContain('engine-secret-0123');
    // The next search asks the engine again (a failure is not remembered): it would answer once the engine is back.
    expect((await fetch(url)).status).toBe(503);
    expect(logged.match(/could not list modules/g)).toHaveLength(2);
  } finally {
    await app.close();
    await sink.close();
  }
});
