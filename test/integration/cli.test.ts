import { execFileSync, spawnSync } from 'node:child_process';
import type { Sandbox } from '../../src/sandbox/server';
import type { HealthReport } from '../../src/service/health';
import type { QuarantineRecord } from '../../src/state/store';
import type { SearchResult } from '../../src/sink/types';
import { feederEnv, startSandbox, tempDir } from '../helpers/harness';
import { CLI, runCli } from '../helpers/cli';
import { testUnless } from '../helpers/skip';

describe('feeder CLI', () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ products: 150, seed: 21 });
    env = feederEnv(sandbox, tempDir(), { LOG_LEVEL: 'info' });
  });
  afterAll(() => sandbox.stop());

  test('bad configuration exits 2 with one line naming the setting', async () => {
    const r = await runCli(['sync'], { ...env, AKINON_URL: 'not-a-url' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^feeder: AKINON_URL: /);
  });

  test.each([
    [{ AKINON_PAGE_SIZE: 'lots' }, 'AKINON_PAGE_SIZE'],
    [{ SINK: 'solr' }, 'SINK'],
    [{ SYNC_CRON: 'every minute' }, 'SYNC_CRON'],
    [{ AKINON_TOKEN: '' }, 'AKINON_TOKEN'],
  ])('%j names %s', async (bad, name) => {
    const r = await runCli(['status'], { ...env, ...bad });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^feeder: ${name}: `));
  });

  test('a run whose only pending work is a retry wait finishes instead of exiting under it', async () => {
    // The first request (the tombstone probe, alone in flight) answers 503 once; the process
    // must wait out the retry and finish the rebuild, not end with exit 0 and nothing done.
    let requests = 0;
    sandbox.faults = { rate: 1, kinds: ['503'], retryAfterSeconds: 0 };
    sandbox.onRequest = () => {
      if (++requests > 1) sandbox.faults = null;
    };
    try {
      const r = await runCli(['rebuild'], feederEnv(sandbox, tempDir(), { AKINON_RETRY_BASE_MS: '300', AKINON_RETRY_MAX_MS: '300' }));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^rebuild: 150 documents live; written 150/);
    } finally {
      sandbox.faults = null;
      sandbox.onRequest = null;
    }
  });

  test('an unknown command is a usage error (exit 2)', async () => {
    expect((await runCli(['frobnicate'], env)).code).toBe(2);
  });

  test('rebuild prints a one-line summary; export prints exactly the live documents, sorted, logs on stderr', async () => {
    const rebuilt = await runCli(['rebuild'], env);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout.trim().split('\n')).toHaveLength(1);
    expect(rebuilt.stdout).toMatch(/^rebuild: 150 documents live; written 150/);
    expect(rebuilt.stderr).toContain('rebuild succeeded');
    expect(rebuilt.stderr).not.toContain(sandbox.token);

    const exported = await runCli(['export'], env);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.split('\n');
    expect(lines.pop()).toBe('');
    const docs = lines.map((l) => JSON.parse(l) as { id: string; product_id: number });
    expect(docs.map((d) => d.product_id)).toEqual(sandbox.catalog.rows('products/products').map((p) => p.id));
    expect(docs.every((d) => d.id === String(d.product_id))).toBe(true);

    const categories = await runCli(['export', '--categories'], env);
    expect(categories.stdout.trim().split('\n')).toHaveLength(sandbox.catalog.rows('catalogs/category-nodes').length);
  });

  test('search prints hits; status lists watermarks and quarantined records', async () => {
    const product = sandbox.catalog.rows('products/products')[0];
    const found = await runCli(['search', String(product.sku), '--json'], env);
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as SearchResult).hits[0]).toMatchObject({ id: String(product.id), name: product.name });

    const filtered = JSON.parse(
      (await runCli(['search', '--filter', 'price=100..900', '--filter', 'is_active=true', '--sort', 'price', '--limit', '500', '--json'], env)).stdout,
    ) as SearchResult;
    const flagged = JSON.parse(
      (await runCli(['search', '--min-price', '100', '--max-price', '900', '--active', '--sort', 'price', '--limit', '500', '--json'], env)).stdout,
    ) as SearchResult;
    expect(filtered.total).toBeGreaterThan(0);
    expect(filtered).toEqual(flagged);
    const bad = await runCli(['search', '--filter', 'colour=red'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^feeder: --filter: cannot filter on "colour="/);

    const status = await runCli(['status', '--json'], env);
    const report = JSON.parse(status.stdout) as HealthReport & { documents: { products: number } };
    expect(report.documents.products).toBe(150);
    expect(Object.keys(report.watermarks)).toEqual(expect.arrayContaining(['products', 'product_prices', 'deleted_items']));
    expect(status.stdout).not.toContain(sandbox.token);
  });

  test('a quarantined record is listed by `feeder status`', async () => {
    const price = sandbox.catalog.rows('catalogs/product-prices')[0];
    sandbox.catalog.putRaw('catalogs/product-prices', { ...price, id: 990001, price: 'abc', modified_date: sandbox.catalog.clock.stamp() });
    sandbox.catalog.clock.advance(2000);
    const synced = await runCli(['sync'], env);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(/quarantined 1/);
    const status = await runCli(['status'], env);
    expect(status.stdout).toMatch(/quarantined records: 1\n {2}product_prices 990001: price: expected a decimal/);

    const listed = await runCli(['quarantine', 'list', '--json'], env);
    const records = JSON.parse(listed.stdout) as QuarantineRecord[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ resource: 'product_prices', record_key: '990001', raw: { price: 'abc' } });

    // Fixed at the source: `quarantine retry` fetches it now and indexes it.
    sandbox.catalog.putRaw('catalogs/product-prices', { ...price, id: 990001, price: '55.50', modified_date: sandbox.catalog.clock.stamp() });
    const retried = await runCli(['quarantine', 'retry'], env);
    expect(retried.stdout).toMatch(/^quarantine retry: released 1, still quarantined 0; written 1/);
    const doc = JSON.parse((await runCli(['export'], env)).stdout.split('\n').find((l) => l.startsWith(`{"id":"${String(price.product)}"`))!) as {
      prices: { price: number }[];
    };
    expect(doc.prices.map((p) => p.price)).toContain(55.5);

    sandbox.catalog.putRaw('catalogs/product-prices', { ...price, id: 990002, price: null, modified_date: sandbox.catalog.clock.stamp() });
    sandbox.catalog.clock.advance(2000);
    await runCli(['sync'], env);
    expect((await runCli(['quarantine', 'purge', '--resource', 'product_prices'], env)).stdout).toBe('quarantine purge: 1 records removed\n');
    expect((await runCli(['quarantine', 'list'], env)).stdout).toBe('no quarantined records\n');
  });
});

// The machine's own Node (20, end of life) is what a user might still have on the PATH.
const systemNode = '/usr/bin/node';
const oldNode = (() => {
  try {
    const version = execFileSync(systemNode, ['--version']).toString().trim();
    return Number(version.slice(1).split('.')[0]) < 22 ? version : null;
  } catch {
    return null;
  }
})();
testUnless(oldNode ? null : 'no Node older than 22 on this machine')(
  `on an unsupported Node (${oldNode ?? 'none on this machine'}) the CLI exits 2 with one line instead of crashing`,
  async () => {
    const dir = tempDir();
    const r = spawnSync(systemNode, [CLI, 'status'], { env: { PATH: process.env.PATH ?? '', STATE_PATH: `${dir}/s.db`, SQLITE_PATH: `${dir}/i.db` } });
    expect({ code: r.status, signal: r.signal }).toEqual({ code: 2, signal: null });
    expect(r.stderr.toString()).toBe(`feeder: Node 22.12 or newer is required (24 recommended); this is Node ${oldNode!.slice(1)}\n`);
  },
);
