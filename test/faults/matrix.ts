/*
 * The fault matrix: the real pipeline (sandbox over HTTP -> state store -> sink) driven through
 * what production throws at it. Each row ends by comparing the feeder's index with a clean rebuild
 * of the same catalog: documents lost (expected but missing or stale, and not quarantined with a
 * reason), duplicates left (in the index but not expected), equal (yes/no).
 */
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { Rng } from '../../src/sandbox/random';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server';
import type { Runtime } from '../../src/service/runtime';
import type { SinkDocument } from '../../src/sink/types';
import type { EsNode } from '../support/elasticsearch';
import type { MeilisearchDouble } from '../support/meilisearch-double';
import { runCli } from '../helpers/cli';
import { exportDocs, feederEnv, letTimePass, referenceDocs, tempDir, withRuntime, withSandbox } from '../helpers/harness';

export type SinkName = 'sqlite' | 'elasticsearch' | 'meilisearch';

export interface Engines {
  es: EsNode | null;
  meili: MeilisearchDouble | null;
  meiliUrl: string | null;
}

export interface RowResult {
  fault: string;
  sink: SinkName;
  runs: number;
  outcome: string;
  lost: number;
  duplicates: number;
  equal: boolean;
}

let counter = 0;
export function sinkEnv(sink: SinkName, engines: Engines): Record<string, string> {
  const index = `f${process.pid}_${counter++}`;
  if (sink === 'elasticsearch') return { SINK: 'elasticsearch', ES_URL: engines.es!.url, ES_REPLICAS: '0', ES_REQUEST_TIMEOUT_MS: '5000', INDEX_NAME: index };
  if (sink === 'meilisearch') return { SINK: 'meilisearch', MEILI_URL: engines.meiliUrl!, MEILI_API_KEY: engines.meili!.opts.apiKey, INDEX_NAME: index };
  return { SINK: 'sqlite', INDEX_NAME: index };
}

/** Compares the feeder's index with a clean rebuild of the same catalog. */
export async function compare(sandbox: Sandbox, rt: Runtime): Promise<Pick<RowResult, 'lost' | 'duplicates' | 'equal'>> {
  const ref = await referenceDocs(sandbox);
  const actual = new Map((await exportDocs(rt)).map((d) => [String(d.id), d]));
  const quarantined = new Set(rt.ctx.store.quarantined(100_000).filter((q) => q.resource === 'product_documents').map((q) => q.record_key));
  const same = (a: SinkDocument | undefined, b: SinkDocument) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);
  let lost = 0;
  for (const doc of ref.products) if (!same(actual.get(String(doc.id)), doc) && !quarantined.has(String(doc.id))) lost++;
  const expected = new Set(ref.products.map((d) => String(d.id)));
  const duplicates = [...actual.keys()].filter((id) => !expected.has(id)).length;
  const categories = JSON.stringify(await exportDocs(rt, 'categories')) === JSON.stringify(ref.categories);
  return { lost, duplicates, equal: lost === 0 && duplicates === 0 && categories };
}

/** Runs `run` until it succeeds (at most `tries` times); returns how many runs it took. */
async function untilSuccess(run: () => Promise<unknown>, tries: number): Promise<{ runs: number; failures: number }> {
  let failures = 0;
  for (let i = 1; i <= tries; i++) {
    try {
      await run();
      return { runs: i, failures };
    } catch {
      failures++;
    }
  }
  throw new Error(`no successful run in ${tries} tries`);
}

export interface ScenarioOptions {
  fault: string;
  sink: SinkName;
  engines: Engines;
  sandbox?: SandboxOptions;
  env?: Record<string, string>;
  /** Switches the fault on (and may return a function that switches it off). */
  arm(sandbox: Sandbox, rt: Runtime): void | (() => void | Promise<void>);
  mutations?: number;
}

/**
 * The common shape of a row: with the fault armed, a rebuild, edits, syncs (each retried until it
 * succeeds, as a scheduler would); then the fault is lifted, one more sync, and the comparison.
 */
export async function scenario(o: ScenarioOptions): Promise<RowResult> {
  return withSandbox({ products: 150, seed: 500 + counter, ...o.sandbox }, (sandbox) =>
    withRuntime(feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '20', AKINON_MAX_RETRIES: '6', ...sinkEnv(o.sink, o.engines), ...o.env }), async (rt) => {
      const disarm = o.arm(sandbox, rt);
      let runs = 0;
      let failures = 0;
      const count = (r: { runs: number; failures: number }) => {
        runs += r.runs;
        failures += r.failures;
      };
      count(await untilSuccess(() => rebuild(rt.ctx), 8));
      const rng = new Rng(counter * 31);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < (o.mutations ?? 15); i++) sandbox.catalog.randomMutation(rng);
        letTimePass(sandbox);
        count(await untilSuccess(() => sync(rt.ctx), 8));
      }
      await disarm?.();
      sandbox.faults = null;
      sandbox.onRequest = null;
      letTimePass(sandbox);
      await sync(rt.ctx);
      runs++;
      return { fault: o.fault, sink: o.sink, runs, outcome: failures ? `converged (${failures} failed runs retried)` : 'converged', ...(await compare(sandbox, rt)) };
    }),
  );
}

// --- rows --------------------------------------------------------------------------------------------

/** A source fault row: the scenario's options without the sink under test. */
type SourceRow = Omit<ScenarioOptions, 'sink' | 'engines'>;

const injecting = (faults: Sandbox['faults']) => (s: Sandbox) => void (s.faults = faults);

const SOURCE_FAULTS: SourceRow[] = [
  { fault: '429 storm with Retry-After', arm: injecting({ rate: 0.35, kinds: ['429'], retryAfterSeconds: 1 }), env: { AKINON_RETRY_MAX_MS: '40' } },
  { fault: '5xx bursts', arm: injecting({ rate: 0.3, kinds: ['500', '503'] }) },
  { fault: 'connection resets', arm: injecting({ rate: 0.25, kinds: ['reset'] }) },
  { fault: 'responses stalling past the timeout', arm: injecting({ rate: 0.2, kinds: ['slow'], slowMs: 800 }), env: { AKINON_TIMEOUT_MS: '200' } },
  { fault: 'truncated and malformed JSON', arm: injecting({ rate: 0.25, kinds: ['truncated', 'malformed'] }) },
  {
    fault: 'count changing mid-crawl',
    arm: (s) => {
      let n = 0;
      s.onRequest = (resource) => {
        // Rows appear and vanish while pages are read.
        if (resource === 'products/products' && n++ % 2 === 0) {
          s.catalog.addProduct();
          const victim = s.catalog.rows('products/products')[n % s.catalog.rows('products/products').length];
          if (victim) s.catalog.deleteProduct(victim.id);
        }
      };
    },
  },
  { fault: '`next` URLs pointing elsewhere', sandbox: { linkBase: 'http://elsewhere.invalid:1' }, arm: () => undefined },
  { fault: 'source clock +5 min', arm: (s) => s.catalog.clock.advance(5 * 60_000) },
  { fault: 'source clock -5 min', arm: (s) => s.catalog.clock.advance(-5 * 60_000) },
  {
    fault: 'deleted and re-created with the same id',
    arm: (s) => {
      let done = false;
      s.onRequest = (resource) => {
        if (done || resource !== 'deleted-items') return;
        done = true;
        for (const p of s.catalog.rows('products/products').filter((x) => x.parent === null).slice(0, 5)) {
          const copy = { ...p };
          s.catalog.deleteProduct(p.id);
          s.catalog.clock.advance(1000);
          s.catalog.putRaw('products/products', { ...copy, name: `${String(copy.name)} (yeniden)`, modified_date: s.catalog.clock.stamp() });
        }
      };
    },
  },
  {
    fault: 'bad input: wrong types, nulls, empty, 1 MB, unicode edge cases',
    arm: (s) => {
      const c = s.catalog;
      const product = c.rows('products/products')[3];
      const price = c.rows('catalogs/product-prices')[3];
      const image = c.rows('products/product-images')[3];
      const node = c.rows('catalogs/category-nodes')[3];
      const url = c.rows('pretty-urls')[3];
      let id = 800_000;
      const bad = <T extends Record<string, unknown>>(path: Parameters<typeof c.putRaw>[0], base: T, change: Record<string, unknown>) =>
        c.putRaw(path, { ...base, ...change, id: id++, modified_date: c.clock.stamp() } as never);
      for (const v of [null, '', 'abc', {}, [], true]) bad('catalogs/product-prices', price, { price: v });
      for (const v of [null, '', 'x', -1]) bad('catalogs/product-prices', price, { product: v });
      for (const v of [null, 'yes', 1]) bad('products/products', product, { is_active: v });
      bad('products/products', product, { modified_date: 'yesterday' });
      bad('products/product-images', image, { product: 'seven' });
      bad('catalogs/category-nodes', node, { path: null });
      bad('pretty-urls', url, { new_path: '' });
      // Valid but hostile: indexed as given.
      bad('products/products', product, { name: 'İstanbul ışık 😀 \u202Eters\u202C a\u0000b', pretty_url: null, parent: null });
      bad('products/products', product, { name: 'x'.repeat(1_000_000), pretty_url: null, parent: null });
      bad('products/products', product, { name: 'مرحبا بالعالم', sku: '', base_code: null, pretty_url: null, parent: null });
    },
  },
];

export const SOURCE_ROWS: Record<string, (sink: SinkName, engines: Engines) => Promise<RowResult>> = Object.fromEntries(
  SOURCE_FAULTS.map((row) => [row.fault, (sink: SinkName, engines: Engines) => scenario({ ...row, sink, engines })]),
);

// --- process faults ------------------------------------------------------------------------------------

/** A CLI run killed with SIGKILL at a random point, then a restart in-process; compared after. */
export async function killRow(command: 'rebuild' | 'sync', seed: number, sink: SinkName, engines: Engines): Promise<RowResult> {
  return withSandbox({ products: 200, seed: 900 + seed }, async (sandbox) => {
    const rng = new Rng(seed);
    const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '10', BATCH_SIZE: '10', ...sinkEnv(sink, engines) });
    await withRuntime(env, (rt) => rebuild(rt.ctx));
    for (let i = 0; i < 80; i++) sandbox.catalog.randomMutation(rng);
    letTimePass(sandbox);
    let served = 0;
    const killAt = rng.int(1, command === 'sync' ? 12 : 70);
    let child: import('node:child_process').ChildProcess | null = null;
    if (seed % 2 === 1) sandbox.onRequest = () => void (++served === killAt && child?.kill('SIGKILL'));
    const r = await runCli([command], env, {
      onSpawn: (c) => {
        child = c;
        if (seed % 2 === 0) setTimeout(() => c.kill('SIGKILL'), rng.int(50, 900)).unref();
      },
    });
    sandbox.onRequest = null;
    return withRuntime(env, async (rt) => {
      if (command === 'rebuild') await rebuild(rt.ctx);
      else await sync(rt.ctx);
      return { fault: `SIGKILL during ${command} (seed ${seed})`, sink, runs: 2, outcome: r.signal === 'SIGKILL' ? 'killed, restarted' : 'finished before the kill', ...(await compare(sandbox, rt)) };
    });
  });
}

export async function diskFullRow(engines: Engines): Promise<RowResult> {
  return withSandbox({ products: 300, seed: 77 }, async (sandbox) => {
    const base = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '50', ...sinkEnv('sqlite', engines) });
    // A state store capped below what the catalog needs: the rebuild must fail cleanly.
    const failed = await withRuntime({ ...base, STATE_MAX_BYTES: String(400 * 1024) }, (full) =>
      rebuild(full.ctx).then(
        () => false,
        (err: unknown) => /full/i.test((err as Error).message),
      ),
    );
    // Space freed: the next runs converge.
    return withRuntime(base, async (rt) => {
      await rebuild(rt.ctx);
      for (let i = 0; i < 20; i++) sandbox.catalog.randomMutation();
      letTimePass(sandbox);
      await sync(rt.ctx);
      return { fault: 'disk full on the state store', sink: 'sqlite', runs: 3, outcome: failed ? 'failed cleanly (SQLITE_FULL), then converged' : 'did not fail (cap too large)', ...(await compare(sandbox, rt)) };
    });
  });
}

export async function twoFeedersRow(engines: Engines): Promise<RowResult> {
  return withSandbox({ products: 200, seed: 78 }, async (sandbox) => {
    const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '10', ...sinkEnv('sqlite', engines) });
    const both = await Promise.all([runCli(['rebuild'], env), runCli(['rebuild'], env)]);
    for (let i = 0; i < 30; i++) sandbox.catalog.randomMutation();
    letTimePass(sandbox);
    const again = await Promise.all([runCli(['sync'], env), runCli(['sync'], env)]);
    const codes = [...both, ...again].map((r) => r.code);
    return withRuntime(env, async (rt) => {
      await sync(rt.ctx);
      const busy = codes.filter((c) => c === 1).length;
      const bad = codes.filter((c) => c !== 0 && c !== 1).length;
      return { fault: 'two feeders on one state file at once', sink: 'sqlite', runs: 5, outcome: bad ? `unexpected exit codes ${codes.join(',')}` : `${busy} of 4 runs found the lock held (exit 1)`, ...(await compare(sandbox, rt)) };
    });
  });
}

// --- sink faults ------------------------------------------------------------------------------------------

export async function esStoppedRow(engines: Engines): Promise<RowResult> {
  const es = engines.es!;
  return scenario({
    fault: 'Elasticsearch stopped mid-bulk, restarted',
    sink: 'elasticsearch',
    engines,
    arm: (s) => {
      let stopping: Promise<void> | null = null;
      let syncs = 0;
      s.onRequest = (resource) => {
        // During the second sync's reads: the writes that follow hit a dead node.
        if (resource === 'deleted-items') syncs++;
        if (syncs === 2 && !stopping && resource === 'products/product-images') stopping = es.kill!().then(() => es.restart!());
      };
      return async () => {
        await stopping;
      };
    },
  });
}

export function meiliFailingRow(engines: Engines): Promise<RowResult> {
  return scenario({
    fault: 'Meilisearch tasks failing',
    sink: 'meilisearch',
    engines,
    arm: () => {
      engines.meili!.faults.failTasks = { count: 3, types: ['documentAdditionOrUpdate', 'documentDeletion'], code: 'internal' };
      return () => void (engines.meili!.faults = {});
    },
  });
}

export function rejectedDocumentsRow(sink: SinkName, engines: Engines): Promise<RowResult> {
  return scenario({
    fault: 'documents rejected by the sink',
    sink,
    engines,
    arm: (s) => {
      const wide = s.catalog.rows('products/products')[7];
      const attributes = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`attr_${i}`, i]));
      s.catalog.updateProduct(wide.id, { attributes });
    },
  });
}
