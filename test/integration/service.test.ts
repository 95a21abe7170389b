import { rebuild } from '../../src/sync/rebuild';
import type { SearchResult } from '../../src/sink/types';
import type { Sandbox } from '../../src/sandbox/server';
import { MeilisearchDouble } from '../support/meilisearch-double';
import { eventually, getJson, runCli, startServe, type ServeProcess } from '../helpers/cli';
import { exportDocs, feederEnv, letTimePass, openFeeder, referenceDocs, startSandbox, tempDir } from '../helpers/harness';
import { live } from '../../src/sink/types';

const ADMIN = 'admin-token-0123456789abcdef';

async function stopServe(p: ServeProcess): Promise<number | null> {
  p.child.kill('SIGTERM');
  return p.exited;
}

function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('feeder serve', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ products: 200, seed: 91 });
  });
  afterEach(async () => {
    sandbox.onRequest = null;
    await sandbox.stop();
  });

  test('on a one-second schedule against a live catalog: runs succeed, /metrics counts them, a price change reaches search within a few ticks', async () => {
    const env = feederEnv(sandbox, tempDir(), { SYNC_CRON: '* * * * * *', LOG_LEVEL: 'info' });
    const serve = await startServe(env);
    try {
      await eventually(async () =>
        (await getJson<{ lastRun: { kind: string } | null }>(`${serve.url}/healthz`)).body.lastRun?.kind === 'sync' ? true : undefined,
      );
      const price = sandbox.catalog.rows('catalogs/product-prices').find((p) => p.price_type === 'default')!;
      const product = sandbox.catalog.get('products/products', price.product as number)!;
      const chosen = sandbox.catalog
        .rows('catalogs/product-prices')
        .filter((p) => p.product === product.id && p.price_type === 'default')
        .sort((a, b) => a.id - b.id)[0];
      sandbox.catalog.setPrice(chosen.id, 4242.42);
      letTimePass(sandbox);
      await eventually(async () => {
        const r = await runCli(['search', String(product.sku), '--json'], env);
        return (JSON.parse(r.stdout) as SearchResult).hits[0]?.price === 4242.42 ? true : undefined;
      });
      const text = await (await fetch(`${serve.url}/metrics`)).text();
      expect(metric(text, 'feeder_runs_total', { kind: 'sync', outcome: 'succeeded' })).toBeGreaterThan(0);
      expect(metric(text, 'feeder_documents_total', { kind: 'rebuild', result: 'written' })).toBe(200);
      expect(metric(text, 'feeder_documents_total', { kind: 'sync', result: 'written' })).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^feeder_source_requests_total\{status="200"\} \d+/m);
      expect(text).toMatch(/^feeder_lag_seconds \d+/m);
      expect(text).toMatch(/^feeder_run_duration_seconds_bucket\{le="1",kind="sync"\}/m);
      // One structured line per run, with its figures.
      const runLines = serve
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"sync succeeded"'));
      const { run } = JSON.parse(runLines[0]) as { run: { kind: string; written: unknown; requests: unknown } };
      expect([run.kind, typeof run.written, typeof run.requests]).toEqual(['sync', 'number', 'number']);
      expect(await stopServe(serve)).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  test('RECONCILE_CRON: a document deleted from the index by hand is repaired, counted in /metrics and logged as a warning', async () => {
    const env = feederEnv(sandbox, tempDir(), { SYNC_CRON: '0 0 1 1 *', RECONCILE_CRON: '* * * * * *', LOG_LEVEL: 'info' });
    const serve = await startServe(env);
    try {
      await eventually(async () =>
        (await getJson<{ lastRun: { kind: string } | null }>(`${serve.url}/healthz`)).body.lastRun?.kind === 'reconcile' ? true : undefined,
      );
      const repairs = async () => metric(await (await fetch(`${serve.url}/metrics`)).text(), 'feeder_reconcile_repairs_total', { problem: 'missing' });
      expect(await repairs()).toBe(0);
      // The fault: a document removed behind the feeder's back.
      const rt = await openFeeder(env);
      try {
        await rt.ctx.sink.delete(live(rt.ctx.sink, 'products'), ['5']);
        expect((await exportDocs(rt)).some((d) => d.id === '5')).toBe(false);
      } finally {
        await rt.close();
      }
      await eventually(async () => ((await repairs()) === 1 ? true : undefined));
      const warning = serve
        .output()
        .split('\n')
        .find((l) => l.includes('reconcile repaired 1 documents'));
      expect(JSON.parse(warning!)).toMatchObject({ level: 40, missing: 1 });
      const back = await openFeeder(env);
      try {
        expect((await exportDocs(back)).some((d) => d.id === '5')).toBe(true);
      } finally {
        await back.close();
      }
      expect(await stopServe(serve)).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  test('SIGTERM during a rebuild: exit 0, the live index untouched; the next start resumes the rebuild', async () => {
    const dir = tempDir();
    const env = feederEnv(sandbox, dir, { ADMIN_TOKEN: ADMIN, SYNC_CRON: '0 0 1 1 *', AKINON_PAGE_SIZE: '10', LOG_LEVEL: 'info' });
    const rt = await openFeeder(env);
    await rebuild(rt.ctx);
    const before = await exportDocs(rt);
    await rt.close();
    sandbox.catalog.setPrice(sandbox.catalog.rows('catalogs/product-prices')[0].id, 1.5);

    const serve = await startServe(env);
    let signalled = false;
    sandbox.onRequest = (resource) => {
      if (!signalled && resource === 'products/products') {
        signalled = true;
        serve.child.kill('SIGTERM');
      }
    };
    const res = await fetch(`${serve.url}/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(202);
    expect(await serve.exited).toBe(0);
    expect(signalled).toBe(true);
    sandbox.onRequest = null;

    const check = await openFeeder(env);
    expect(await exportDocs(check)).toEqual(before);
    expect(check.ctx.store.records.get('rebuild')).not.toBeNull();
    await check.close();
    // A routine stop pages nobody: logged at info, never as a failure.
    const stopLines = serve
      .output()
      .split('\n')
      .filter((l) => l.includes('stopped by shutdown'));
    expect(stopLines.length).toBeGreaterThan(0);
    expect(stopLines.map((l) => (JSON.parse(l) as { level: number }).level)).toEqual(stopLines.map(() => 30));
    expect(serve.output()).not.toContain('"msg":"rebuild failed"');
    // `status` does not claim the stopped rebuild left 0 documents live.
    const status = await runCli(['status'], env);
    expect(status.stdout).toContain(`documents: ${before.length} products`);
    expect(status.stdout).toMatch(/last run: rebuild stopped .*\n {2}rebuild: not swapped in;/);
    expect(status.stdout).not.toContain('0 documents live');

    const again = await startServe(env);
    try {
      await eventually(async () => {
        const { body } = await getJson<{ lastRun: { kind: string; outcome: string } | null }>(`${again.url}/healthz`);
        return body.lastRun?.kind === 'rebuild' && body.lastRun.outcome === 'succeeded' ? true : undefined;
      });
      expect(again.output()).toContain('an interrupted rebuild is pending: resuming it');
      expect(await stopServe(again)).toBe(0);
    } finally {
      again.child.kill('SIGKILL');
    }
    const done = await openFeeder(env);
    expect(await exportDocs(done)).toEqual((await referenceDocs(sandbox)).products);
    await done.close();
  });

  test('/healthz turns 503 when the source is unreachable for longer than MAX_LAG_SECONDS, and 200 after recovery', async () => {
    // No overlap, so that a 2 s lag bound is reachable (the lag counts the overlap).
    const env = feederEnv(sandbox, tempDir(), {
      SYNC_CRON: '* * * * * *',
      SYNC_OVERLAP_SECONDS: '0',
      MAX_LAG_SECONDS: '2',
      AKINON_MAX_RETRIES: '0',
      AKINON_TIMEOUT_MS: '500',
    });
    const port = Number(new URL(sandbox.url).port);
    const serve = await startServe(env);
    try {
      await eventually(async () => ((await getJson(`${serve.url}/healthz`)).status === 200 ? true : undefined));
      await sandbox.stop();
      const down = await eventually(async () => {
        const r = await getJson<{ reason: string }>(`${serve.url}/healthz`);
        return r.status === 503 ? r.body : undefined;
      });
      expect(down.reason).toMatch(/exceeds MAX_LAG_SECONDS=2; last sync failed/);
      await sandbox.start(port);
      await eventually(async () => ((await getJson(`${serve.url}/healthz`)).status === 200 ? true : undefined));
      expect(await stopServe(serve)).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  test('admin endpoints: disabled without ADMIN_TOKEN, 401 with a wrong token', async () => {
    const open = await startServe(feederEnv(sandbox, tempDir(), { SYNC_CRON: '0 0 1 1 *' }));
    try {
      expect((await fetch(`${open.url}/sync`, { method: 'POST' })).status).toBe(404);
      await stopServe(open);
    } finally {
      open.child.kill('SIGKILL');
    }
    const guarded = await startServe(feederEnv(sandbox, tempDir(), { SYNC_CRON: '0 0 1 1 *', ADMIN_TOKEN: ADMIN }));
    try {
      expect((await fetch(`${guarded.url}/sync`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      // The scheme is case-insensitive: a lowercase `bearer` with the right token gets past the
      // check (202 started, or 409 while the initial build is still running; never 401).
      const lower = (await fetch(`${guarded.url}/sync`, { method: 'POST', headers: { authorization: `bearer ${ADMIN}` } })).status;
      expect([202, 409]).toContain(lower);
      await stopServe(guarded);
    } finally {
      guarded.child.kill('SIGKILL');
    }
  });
});

test('no log line, metric or status output contains the Akinon token, the ES password, the Meilisearch key or the admin token', async () => {
  const secrets = { akinon: 'akinon-SECRET-token-111', es: 'es-SECRET-password-222', meili: 'meili-SECRET-key-333', admin: 'admin-SECRET-token-444' };
  const sandbox = await startSandbox({ products: 60, seed: 92, token: secrets.akinon });
  const double = new MeilisearchDouble({ apiKey: secrets.meili });
  const meiliUrl = await double.start();
  const env = feederEnv(sandbox, tempDir(), {
    SINK: 'meilisearch',
    MEILI_URL: meiliUrl,
    MEILI_API_KEY: secrets.meili,
    ES_USERNAME: 'elastic',
    ES_PASSWORD: secrets.es,
    ADMIN_TOKEN: secrets.admin,
    SYNC_CRON: '* * * * * *',
    LOG_LEVEL: 'debug',
  });
  const serve = await startServe(env);
  let printed = '';
  try {
    await eventually(async () => ((await getJson(`${serve.url}/healthz`)).status === 200 ? true : undefined));
    // A failing engine and a failing source put error paths into the logs too.
    double.faults.failTasks = { count: 3, code: 'internal' };
    sandbox.catalog.setPrice(sandbox.catalog.rows('catalogs/product-prices')[0].id, 3.3);
    letTimePass(sandbox);
    await fetch(`${serve.url}/sync`, { method: 'POST', headers: { authorization: `Bearer ${secrets.admin}` } });
    await eventually(async () => (serve.output().includes('"msg":"sync failed"') ? true : undefined));
    sandbox.faults = { rate: 1, kinds: ['500'] };
    await eventually(async () => (serve.output().includes('answered 500') ? true : undefined));
    sandbox.faults = null;
    printed += await (await fetch(`${serve.url}/metrics`)).text();
    printed += await (await fetch(`${serve.url}/healthz`)).text();
    printed += JSON.stringify(await runCli(['status', '--json'], env));
    printed += JSON.stringify(await runCli(['status'], env));
    printed += JSON.stringify(await runCli(['quarantine', 'list', '--json'], env));
    printed += JSON.stringify(await runCli(['sync'], { ...env, AKINON_URL: 'http://127.0.0.1:9' }));
    expect(await stopServe(serve)).toBe(0);
    printed += serve.output();
  } finally {
    serve.child.kill('SIGKILL');
    await double.stop();
    await sandbox.stop();
  }
  expect(printed).toContain('sync failed');
  for (const secret of Object.values(secrets)) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/SECRET/);
});
