/*
 * What an operator meets when things break: a sink down at start, a path that cannot be opened,
 * `status` with the sink down, metrics that must not hide "never succeeded".
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { eventually, getJson, runCli, startServe } from '../helpers/cli';
import { exportDocs, feederEnv, letTimePass, tempDir, withFeeder, withRuntime, withSandbox } from '../helpers/harness';
import { rebuild } from '../../src/sync/rebuild';
import { compare } from '../faults/matrix';
import { sync } from '../../src/sync/sync';

/** A loopback port with nothing listening: connections are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function metric(text: string, name: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.startsWith(`${name} `))
    ?.split(' ')[1];
}

describe('a sink that is down when serve starts', () => {
  test.each([
    [
      'elasticsearch',
      (port: number) => ({ SINK: 'elasticsearch', ES_URL: `http://127.0.0.1:${port}` }),
      /^feeder: Elasticsearch could not check the index: .*ECONNREFUSED.* \[FEEDER_ERR_SINK\]$/m,
    ],
    ['meilisearch', (port: number) => ({ SINK: 'meilisearch', MEILI_URL: `http://127.0.0.1:${port}`, MEILI_API_KEY: 'k' }), /^feeder: .*\[FEEDER_ERR_SINK\]$/m],
  ])(
    '%s: serve exits 1 at once with one line, nothing left listening or scheduled',
    async (_name, sinkEnv, message) => {
      const port = await closedPort();
      const dir = tempDir();
      const r = await runCli(['serve'], {
        AKINON_URL: 'sandbox',
        SANDBOX_PRODUCTS: '20',
        STATE_PATH: path.join(dir, 's.db'),
        PORT: '0',
        LOG_LEVEL: 'silent',
        ...sinkEnv(port),
      });
      // It exited by itself (runCli resolves on exit): no zombie answering /healthz.
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
      expect(r.stderr).toMatch(message);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('feeder:')),
      ).toHaveLength(1);
    },
    60_000,
  );
});

describe('paths that cannot be opened', () => {
  test.each([
    ['STATE_PATH', { STATE_PATH: '/etc/passwd/s.db' }],
    ['SQLITE_PATH', { SQLITE_PATH: '/etc/passwd/i.db' }],
  ])(
    '%s: exit 2 with one line naming it, nothing left running',
    async (setting, bad) => {
      const dir = tempDir();
      for (const command of ['sync', 'rebuild', 'status']) {
        const r = await runCli([command], {
          SANDBOX_PRODUCTS: '20',
          STATE_PATH: path.join(dir, 's.db'),
          SQLITE_PATH: path.join(dir, 'i.db'),
          LOG_LEVEL: 'silent',
          ...bad,
        });
        expect({ command, code: r.code, signal: r.signal }).toEqual({ command, code: 2, signal: null });
        const file = `/etc/passwd/${setting === 'STATE_PATH' ? 's' : 'i'}.db`;
        expect(r.stderr).toMatch(new RegExp(`^feeder: ${setting}: cannot open ${file} \\(E(EXIST|NOTDIR): a part of the path is a file, not a folder\\)\n$`));
      }
    },
    60_000,
  );
});

describe('feeder status', () => {
  test('with the sink down: everything the state store knows, the sink marked unreachable, exit 1; healthy: exit 0', async () => {
    await withSandbox({ products: 40, seed: 31 }, async (sandbox) => {
      const env = feederEnv(sandbox, tempDir());
      await withRuntime(env, (rt) => rebuild(rt.ctx));
      const healthy = await runCli(['status'], env);
      expect(healthy.code).toBe(0);
      expect(healthy.stdout).toMatch(/^health: ok\ndocuments: 40 products/);

      // The same state with an Elasticsearch nobody answers at.
      const down = { ...env, SINK: 'elasticsearch', ES_URL: `http://127.0.0.1:${await closedPort()}`, ES_REQUEST_TIMEOUT_MS: '2000' };
      const r = await runCli(['status'], down);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /^health: not ok \(elasticsearch unreachable\)\ndocuments: unknown — elasticsearch unreachable: Elasticsearch could not .*ECONNREFUSED/,
      );
      expect(r.stdout).toMatch(/watermarks:\n {2}deleted_items/);
      expect(r.stdout).toMatch(/last run: rebuild succeeded/);
      expect(r.stdout).toMatch(/quarantined records: 0/);
      const json = JSON.parse((await runCli(['status', '--json'], down)).stdout) as {
        ok: boolean;
        sink: { reachable: boolean };
        watermarks: object;
        pending: number;
      };
      expect(json).toMatchObject({ ok: false, sink: { reachable: false }, pending: 0 });
      expect(Object.keys(json.watermarks).length).toBeGreaterThan(0);
    });
  }, 60_000);
});

describe('metrics', () => {
  test('lag and the last success are NaN until a run has succeeded, then numbers', async () => {
    await withSandbox({ products: 30, seed: 32 }, async (sandbox) => {
      // The source answers 500 to everything at first: no run can succeed.
      sandbox.faults = { rate: 1, kinds: ['500'] };
      const env = feederEnv(sandbox, tempDir(), { SYNC_CRON: '* * * * * *', AKINON_MAX_RETRIES: '0', LOG_LEVEL: 'info' });
      const serve = await startServe(env);
      try {
        const failedOnce = async () => {
          const text = await (await fetch(`${serve.url}/metrics`)).text();
          return /feeder_runs_total\{kind="rebuild",outcome="failed"\} [1-9]/.test(text) ? text : undefined;
        };
        const before = await eventually(failedOnce);
        // The fault happened: a run failed. Nothing has succeeded, and the metrics say so.
        // prom-client writes NaN as `Nan`, which Prometheus parses as NaN.
        expect(metric(before, 'feeder_lag_seconds')).toMatch(/^nan$/i);
        expect(metric(before, 'feeder_last_success_timestamp_seconds')).toMatch(/^nan$/i);
        sandbox.faults = null;
        const after = await eventually(async () => {
          const text = await (await fetch(`${serve.url}/metrics`)).text();
          return /^nan$/i.test(metric(text, 'feeder_last_success_timestamp_seconds') ?? 'nan') ? undefined : text;
        });
        expect(Number(metric(after, 'feeder_lag_seconds'))).toBeGreaterThanOrEqual(0);
        expect(Math.abs(Number(metric(after, 'feeder_last_success_timestamp_seconds')) - Date.now() / 1000)).toBeLessThan(600);
        expect((await getJson(`${serve.url}/healthz`)).status).toBe(200);
      } finally {
        serve.child.kill('SIGKILL');
      }
    });
  }, 120_000);
});

describe('secrets beyond key names', () => {
  test('credentials embedded in a URL are never printed, at debug level included', async () => {
    const port = await closedPort();
    const dir = tempDir();
    const env = {
      AKINON_URL: 'sandbox',
      SANDBOX_PRODUCTS: '20',
      STATE_PATH: path.join(dir, 's.db'),
      SINK: 'elasticsearch',
      ES_URL: `http://elastic:url-secret-123@127.0.0.1:${port}`,
      ES_REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'debug',
    };
    const runs = [
      await runCli(['sync'], env),
      await runCli(['status', '--json'], env),
      await runCli(['rebuild'], { ...env, ES_URL: 'htp://elastic:url-secret-123@x' }),
    ];
    // The faults happened: the engine could not be reached, the bad URL was refused.
    expect(runs.map((r) => r.code)).toEqual([1, 1, 2]);
    expect(runs[0].stderr).toContain('"ES_URL":"http://[redacted]@127.0.0.1');
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain('url-secret-123');
  }, 60_000);
});

describe('retries are visible', () => {
  test('every retry of a truncated or malformed 200 is logged at warn with its reason and attempt, and counted by reason', async () => {
    await withSandbox({ products: 60, seed: 33, faults: { rate: 0.3, kinds: ['truncated', 'malformed'] } }, async (sandbox) => {
      const env = feederEnv(sandbox, tempDir(), { SYNC_CRON: '0 0 1 1 *', AKINON_PAGE_SIZE: '10', LOG_LEVEL: 'info' });
      const serve = await startServe(env);
      try {
        await eventually(async () => {
          const { body } = await getJson<{ lastRun: { kind: string; outcome: string } | null }>(`${serve.url}/healthz`);
          return body.lastRun?.outcome === 'succeeded' ? true : undefined;
        });
        // The fault happened: the sandbox served broken bodies.
        expect(sandbox.faultsInjected).toBeGreaterThan(0);
        const lines = serve
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string; attempt?: number; path?: string; run?: { retries: number } });
        const retried = lines.filter((l) => l.msg.startsWith('source request retried'));
        const run = lines.find((l) => l.msg === 'rebuild succeeded')!.run!;
        expect(retried.length).toBe(run.retries);
        expect(retried.length).toBeGreaterThan(0);
        for (const l of retried) {
          expect(l.level).toBe(40);
          expect(['body', 'malformed']).toContain(l.reason);
          expect(l.attempt).toBeGreaterThanOrEqual(1);
          expect(l.path).not.toContain('?');
        }
        const text = await (await fetch(`${serve.url}/metrics`)).text();
        const counted = [...text.matchAll(/^feeder_source_retries_total\{reason="([a-z]+)"\} (\d+)$/gm)];
        expect(counted.reduce((a, m) => a + Number(m[2]), 0)).toBe(retried.length);
        expect(new Set(counted.map((m) => m[1]))).toEqual(new Set(retried.map((l) => l.reason)));
      } finally {
        serve.child.kill('SIGKILL');
      }
    });
  }, 120_000);
});

describe('quarantine', () => {
  test('retries rotate: records fixed at the source are released even while more than a batch stays broken', async () => {
    await withFeeder({ products: 40, seed: 34 }, {}, async (sandbox, rt) => {
      const c = sandbox.catalog;
      const price = c.rows('catalogs/product-prices')[0];
      const put = (id: number, value: string, modified: string) => c.putRaw('catalogs/product-prices', { ...price, id, price: value, modified_date: modified });
      await rebuild(rt.ctx);
      // 20 broken rows, quarantined first...
      for (let i = 1; i <= 20; i++) put(990_000 + i, 'abc', c.clock.stamp());
      letTimePass(sandbox);
      await sync(rt.ctx);
      expect(rt.ctx.store.quarantine.count('product_prices')).toBe(20);
      // ...then fixed at the source, dated before the watermark (no window reads them again:
      // only the retry can), while 60 more broken rows arrive: more than one retry batch (50).
      const old = String(price.modified_date);
      for (let i = 1; i <= 20; i++) put(990_000 + i, '12.50', old);
      for (let i = 21; i <= 80; i++) put(990_000 + i, 'abc', c.clock.stamp());
      letTimePass(sandbox);
      await sync(rt.ctx);
      await sync(rt.ctx);
      const left = rt.ctx.store.quarantine.list(1000).map((q) => Number(q.record_key));
      expect(left.filter((id) => id <= 990_020)).toEqual([]);
      expect(left).toHaveLength(60);
    });
  }, 60_000);
});

describe('bad ids', () => {
  test('records with a string, float or missing id, and duplicate rows, are quarantined or read once; the rest of the catalog lands', async () => {
    await withFeeder({ products: 60, seed: 35 }, { AKINON_PAGE_SIZE: '20' }, async (sandbox, rt) => {
      let injected = 0;
      sandbox.transformPage = (resource, params, page) => {
        if (resource !== 'products/products' || params.get('id__gt') !== '20') return page;
        injected++;
        const [a, b] = page.results;
        const bad = [
          { ...a, id: 'x12' },
          { ...a, id: 3.5 },
          { ...a, id: undefined },
        ];
        // Rows as the server sent them: an exact duplicate of `a`, and a different row under b's id.
        const rows = [a, a, b, { ...b, name: 'another row, same id' }, ...page.results.slice(2)];
        return { ...page, results: [...rows.slice(0, 5), ...bad, ...rows.slice(5)] };
      };
      const summary = await rebuild(rt.ctx);
      sandbox.transformPage = null;
      // The fault happened, and the rebuild went through it.
      expect(injected).toBeGreaterThan(0);
      expect(summary.quarantined).toBe(4);
      const reasons = rt.ctx.store.quarantine.list(100).map((q) => q.reason.split(':')[0]);
      expect(reasons).toEqual(['id', 'id', 'id', 'id']);
      expect(rt.ctx.store.quarantine.list(100).some((q) => q.record_key.endsWith('#duplicate'))).toBe(true);
      expect(await compare(sandbox, rt)).toEqual({ lost: 0, duplicates: 0, equal: true });
    });
  }, 60_000);
});

describe('a quarantined update does not blank a document', () => {
  test('a rebuild keeps the last good version of a row whose new version is refused', async () => {
    await withFeeder({ products: 40, seed: 36 }, {}, async (sandbox, rt) => {
      const c = sandbox.catalog;
      await rebuild(rt.ctx);
      const price = c
        .rows('catalogs/product-prices')
        .find((p) => p.price_type === 'default' && c.rows('catalogs/product-prices').filter((q) => q.product === p.product).length === 1)!;
      const docOf = async () => (await exportDocs(rt)).find((d) => d.id === String(price.product))!;
      const before = await docOf();
      expect(before.price).toBe(Number(price.price));
      c.putRaw('catalogs/product-prices', { ...price, price: 'abc', modified_date: c.clock.stamp() });
      letTimePass(sandbox);
      await rebuild(rt.ctx);
      // The fault happened: the new version was refused.
      expect(rt.ctx.store.quarantine.list().map((q) => [q.resource, q.record_key])).toEqual([['product_prices', String(price.id)]]);
      expect((await docOf()).price).toBe(before.price);
      await sync(rt.ctx);
      expect((await docOf()).price).toBe(before.price);
    });
  }, 60_000);

  test.each([
    ['index', true],
    ['hold', false],
  ])(
    'PRICE_MISSING=%s: a product whose only price was never valid is indexed without a price: %s',
    async (policy, indexed) => {
      await withFeeder({ products: 30, seed: 37 }, { PRICE_MISSING: policy }, async (sandbox, rt) => {
        const c = sandbox.catalog;
        await rebuild(rt.ctx);
        const product = c.addProduct();
        for (const p of c.rows('catalogs/product-prices').filter((r) => r.product === product.id)) c.deletePrice(p.id);
        const template = c.rows('catalogs/product-prices')[0];
        c.putRaw('catalogs/product-prices', { ...template, id: 995_001, product: product.id, price: 'abc', modified_date: c.clock.stamp() });
        letTimePass(sandbox);
        await sync(rt.ctx);
        expect(rt.ctx.store.quarantine.count('product_prices')).toBe(1);
        const doc = (await exportDocs(rt)).find((d) => d.id === String(product.id));
        expect(doc ? { indexed: true, price: doc.price } : { indexed: false }).toEqual(indexed ? { indexed: true, price: null } : { indexed: false });
        // Fixed at the source: indexed with its price under either policy.
        c.putRaw('catalogs/product-prices', { ...template, id: 995_001, product: product.id, price: '42.00', modified_date: c.clock.stamp() });
        letTimePass(sandbox);
        await sync(rt.ctx);
        expect((await exportDocs(rt)).find((d) => d.id === String(product.id))?.price).toBe(42);
      });
    },
    60_000,
  );
});

describe('odd input, and the names of things', () => {
  test('CLI arguments: --limit, --version, sandbox flags, an unbounded timeout', async () => {
    const dir = tempDir();
    const env = { STATE_PATH: path.join(dir, 's.db'), SQLITE_PATH: path.join(dir, 'i.db'), LOG_LEVEL: 'silent' };
    for (const limit of ['-1', '0', '1.5', '5000']) {
      const r = await runCli(['search', 'x', '--limit', limit], env);
      expect({ limit, code: r.code, stderr: r.stderr }).toEqual({
        limit,
        code: 2,
        stderr: `feeder: --limit: expected a whole number from 1 to 1000 (got "${limit}")\n`,
      });
    }
    const version = await runCli(['--version'], env);
    expect({ code: version.code, out: version.stdout.trim() }).toEqual({
      code: 0,
      out: (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version,
    });
    for (const [flag, value, expected] of [
      ['--products', '0', 'expected a whole number from 1 to 5000000'],
      ['--fault-rate', '2', 'expected a number from 0 to 1'],
      ['--port', '70000', 'expected a whole number from 0 to 65535'],
    ]) {
      const r = await runCli(['sandbox', flag, value], env);
      expect({ flag, code: r.code, stderr: r.stderr }).toEqual({ flag, code: 2, stderr: `feeder: ${flag}: ${expected} (got "${value}")\n` });
    }
    const timeout = await runCli(['sync'], { ...env, AKINON_TIMEOUT_MS: '99999999999' });
    expect({ code: timeout.code, stderr: timeout.stderr }).toEqual({
      code: 2,
      stderr: 'feeder: AKINON_TIMEOUT_MS: expected at most 600000 (got "99999999999")\n',
    });
  }, 60_000);

  test('search and export with no index exit 1 saying so, and create no index file', async () => {
    const dir = tempDir();
    const env = { STATE_PATH: path.join(dir, 's.db'), SQLITE_PATH: path.join(dir, 'i.db'), LOG_LEVEL: 'silent' };
    for (const args of [['search', 'elbise'], ['export']]) {
      const r = await runCli(args, env);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({
        args,
        code: 1,
        stderr: 'feeder: no live index to read: run `feeder rebuild` first [FEEDER_ERR_NO_INDEX]\n',
      });
    }
    expect(fs.existsSync(env.SQLITE_PATH)).toBe(false);
  }, 60_000);

  test('source errors name the host, hint at a wrong channel, and say "not HTTPS" in one line', async () => {
    await withSandbox({ products: 10, seed: 38 }, async (sandbox) => {
      const dir = tempDir();
      const base = { ...feederEnv(sandbox, dir), AKINON_MAX_RETRIES: '0' };
      const port = await closedPort();
      const refused = await runCli(['sync'], { ...base, AKINON_URL: `http://127.0.0.1:${port}` });
      expect(refused.stderr).toMatch(new RegExp(`^feeder: GET \\S+ on 127\\.0\\.0\\.1:${port} failed: ECONNREFUSED`, 'm'));
      const wrongChannel = await runCli(['sync'], { ...base, AKINON_CHANNEL_ID: '999' });
      expect(wrongChannel.stderr).toMatch(
        /answered 404 \(check AKINON_URL and AKINON_CHANNEL_ID: the channel may not exist or expose the Data Warehouse API\)/,
      );
      const tls = await runCli(['sync'], { ...base, AKINON_URL: sandbox.url.replace('http://', 'https://') });
      expect(tls.code).toBe(1);
      expect(tls.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/TLS handshake failed: the server does not speak HTTPS \(is AKINON_URL http:\/\/\?\)/) as unknown,
      ]);
    });
  }, 60_000);

  test('a Meilisearch URL that is not Meilisearch says so, not "undefined [undefined]"', async () => {
    await withSandbox({ products: 10, seed: 39 }, async (sandbox) => {
      // The sandbox answers JSON 404s on every path Meilisearch would use.
      const r = await runCli(['sync'], { ...feederEnv(sandbox, tempDir()), SINK: 'meilisearch', MEILI_URL: sandbox.url, MEILI_API_KEY: 'k' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/without a Meilisearch error body \(is MEILI_URL a Meilisearch\?\)/);
      expect(r.stderr).not.toContain('undefined');
    });
  }, 60_000);
});
