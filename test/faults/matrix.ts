/*
 * The fault matrix: the real pipeline (sandbox over HTTP -> state store -> sink) driven through
 * what production throws at it. Each row ends by comparing the feeder's index with a clean rebuild
 * of the same catalog: documents lost (expected but missing or stale, and not quarantined with a
 * reason), duplicates left (in the index but not expected), equal (yes/no).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StateStore } from '../../src/state/store';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { recordedRun } from '../../src/sync/runs';
import { Rng } from '../../src/sandbox/random';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server';
import type { Runtime } from '../../src/wiring/runtime';
import type { SinkDocument } from '../../src/sink/types';
import { startElasticsearch, type EsNode } from '../support/elasticsearch';
import { startMeilisearch, type MeiliNode } from '../support/meilisearch';
import { startOpenSearch } from '../support/opensearch';
import { engineAvailable, type SinkName } from '../support/engines';
import type { ClusterNode } from '../support/cluster';
import { MeilisearchDouble } from '../support/meilisearch-double';
import { runCli } from '../helpers/cli';
import { exportDocs, feederEnv, letTimePass, referenceDocs, tempDir, withRuntime, withSandbox } from '../helpers/harness';

export type { SinkName } from '../support/engines';

export interface Engines {
  es: EsNode | null;
  os: ClusterNode | null;
  /** The real Meilisearch engine. */
  meili: MeiliNode | null;
  /**
   * The Meilisearch contract double, only for what a real engine cannot be made to do on demand:
   * fail tasks with an internal error (the "Meilisearch tasks failing" row).
   */
  double: MeilisearchDouble | null;
}

/** No engine: the rows that run on the embedded sink only. */
export const NO_ENGINES: Engines = { es: null, os: null, meili: null, double: null };

/**
 * The engines of a test file: a real Elasticsearch, OpenSearch and Meilisearch (those that can run
 * here, see support/engines.ts), and the double, started before its tests and stopped after.
 */
export function useEngines(doubleKey: string): Engines {
  const engines: Engines = { ...NO_ENGINES };
  beforeAll(async () => {
    [engines.es, engines.os, engines.meili] = await Promise.all([
      engineAvailable('elasticsearch') ? startElasticsearch() : null,
      engineAvailable('opensearch') ? startOpenSearch() : null,
      engineAvailable('meilisearch') ? startMeilisearch() : null,
    ]);
    engines.double = new MeilisearchDouble({ apiKey: doubleKey });
    await engines.double.start();
  }, 600_000);
  afterAll(async () => {
    await Promise.all([engines.es?.stop(), engines.os?.stop(), engines.meili?.stop(), engines.double?.stop()]);
  });
  return engines;
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
  // An engine that is not here (support/engines.ts) gives no URL: a row that names its own (the
  // Meilisearch double's) runs, any other fails on the missing setting instead of on a null.
  if (sink === 'elasticsearch')
    return { SINK: 'elasticsearch', ...(engines.es ? { ES_URL: engines.es.url } : {}), ES_REPLICAS: '0', ES_REQUEST_TIMEOUT_MS: '5000', INDEX_NAME: index };
  if (sink === 'opensearch')
    return {
      SINK: 'opensearch',
      ...(engines.os ? { OPENSEARCH_URL: engines.os.url } : {}),
      ES_REPLICAS: '0',
      ES_REQUEST_TIMEOUT_MS: '5000',
      INDEX_NAME: index,
    };
  if (sink === 'meilisearch')
    return { SINK: 'meilisearch', ...(engines.meili ? { MEILI_URL: engines.meili.url, MEILI_API_KEY: engines.meili.apiKey } : {}), INDEX_NAME: index };
  return { SINK: 'sqlite', INDEX_NAME: index };
}

/** Compares the feeder's index with a clean rebuild of the same catalog. */
export async function compare(sandbox: Sandbox, rt: Runtime): Promise<Pick<RowResult, 'lost' | 'duplicates' | 'equal'>> {
  const ref = await referenceDocs(sandbox);
  const actual = new Map((await exportDocs(rt)).map((d) => [String(d.id), d]));
  const quarantined = new Set(
    rt.ctx.store.quarantine
      .list(100_000)
      .filter((q) => q.resource === 'product_documents')
      .map((q) => q.record_key),
  );
  const same = (a: SinkDocument | undefined, b: SinkDocument) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);
  let lost = 0;
  for (const doc of ref.products) if (!same(actual.get(String(doc.id)), doc) && !quarantined.has(String(doc.id))) lost++;
  const expected = new Set(ref.products.map((d) => String(d.id)));
  const duplicates = [...actual.keys()].filter((id) => !expected.has(id)).length;
  const categories = JSON.stringify(await exportDocs(rt, 'categories')) === JSON.stringify(ref.categories);
  return { lost, duplicates, equal: lost === 0 && duplicates === 0 && categories };
}

/**
 * Runs `run` until it succeeds (at most `tries` times); returns how many runs it took. Before a retry
 * it waits for `beforeRetry` (an engine coming back), as a scheduler's next tick would come later.
 */
async function untilSuccess(run: () => Promise<unknown>, tries: number, beforeRetry?: () => Promise<unknown>): Promise<{ runs: number; failures: number }> {
  let failures = 0;
  for (let i = 1; i <= tries; i++) {
    try {
      await run();
      return { runs: i, failures };
    } catch {
      failures++;
      await beforeRetry?.();
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
  /**
   * Proves the fault happened (called before it is lifted): returns why not, or null. A row whose
   * scenario did not occur fails, whatever its index looks like.
   */
  happened?(sandbox: Sandbox, rt: Runtime): string | null;
  mutations?: number;
  /** Awaited before a failed run is retried (the fault's recovery under way). */
  beforeRetry?: () => Promise<unknown>;
}

/** Thrown by a row whose fault never happened: it proved nothing. */
export class ScenarioDidNotHappen extends Error {}

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
      // Each run as serve runs it: a failure, before the run began or during it, is recorded.
      count(await untilSuccess(() => recordedRun(rt.ctx, 'rebuild', () => rebuild(rt.ctx)), 8, o.beforeRetry));
      const rng = new Rng(counter * 31);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < (o.mutations ?? 15); i++) sandbox.catalog.randomMutation(rng);
        letTimePass(sandbox);
        count(await untilSuccess(() => recordedRun(rt.ctx, 'sync', () => sync(rt.ctx)), 8, o.beforeRetry));
      }
      const missing = o.happened?.(sandbox, rt) ?? null;
      if (missing) throw new ScenarioDidNotHappen(`${o.fault} (${o.sink}): the fault did not happen: ${missing}`);
      await disarm?.();
      sandbox.faults = null;
      sandbox.onRequest = null;
      letTimePass(sandbox);
      // The fault is lifted, but an engine that was restarting may still refuse the next run's first
      // checks: that run fails cleanly into the next tick, and the one after it converges.
      count(await untilSuccess(() => recordedRun(rt.ctx, 'sync', () => sync(rt.ctx)), 4, o.beforeRetry));
      // Every failed run left its trace in the run history (none failed silently before it began).
      const recorded = rt.ctx.store.runs.recent(1000).filter((r) => r.outcome === 'failed').length;
      if (recorded < failures) throw new Error(`${o.fault} (${o.sink}): ${failures} runs failed, ${recorded} recorded in the run history`);
      return {
        fault: o.fault,
        sink: o.sink,
        runs,
        outcome: failures ? `converged (${failures} failed runs retried)` : 'converged',
        ...(await compare(sandbox, rt)),
      };
    }),
  );
}

// --- rows --------------------------------------------------------------------------------------------

/** A source fault row: the scenario's options without the sink under test. */
type SourceRow = Omit<ScenarioOptions, 'sink' | 'engines'>;

const injecting = (faults: Sandbox['faults']) => (s: Sandbox) => void (s.faults = faults);
/** For rows that inject through `sandbox.faults`: at least one fault was served. */
const injected = (s: Sandbox) => (s.faultsInjected > 0 ? null : 'no request got a fault');

let midCrawlEdits = 0;

const SOURCE_FAULTS: SourceRow[] = [
  {
    fault: '429 storm with Retry-After',
    happened: injected,
    arm: injecting({ rate: 0.35, kinds: ['429'], retryAfterSeconds: 1 }),
    env: { AKINON_RETRY_MAX_MS: '40' },
  },
  { fault: '5xx bursts', happened: injected, arm: injecting({ rate: 0.3, kinds: ['500', '503'] }) },
  { fault: 'connection resets', happened: injected, arm: injecting({ rate: 0.25, kinds: ['reset'] }) },
  {
    fault: 'responses stalling past the timeout',
    happened: injected,
    arm: injecting({ rate: 0.2, kinds: ['slow'], slowMs: 800 }),
    env: { AKINON_TIMEOUT_MS: '200' },
  },
  { fault: 'truncated and malformed JSON', happened: injected, arm: injecting({ rate: 0.25, kinds: ['truncated', 'malformed'] }) },
  {
    fault: 'count changing mid-crawl',
    happened: () => (midCrawlEdits > 0 ? null : 'no product was added or deleted mid-crawl'),
    arm: (s) => {
      let n = 0;
      midCrawlEdits = 0;
      s.onRequest = (resource) => {
        // Rows appear and vanish while pages are read.
        if (resource === 'products/products' && n++ % 2 === 0) {
          midCrawlEdits++;
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
    happened: (s) => (s.catalog.rows('products/products').some((p) => String(p.name).endsWith('(yeniden)')) ? null : 'no product was re-created'),
    arm: (s) => {
      let done = false;
      s.onRequest = (resource) => {
        if (done || resource !== 'deleted-items') return;
        done = true;
        for (const p of s.catalog
          .rows('products/products')
          .filter((x) => x.parent === null)
          .slice(0, 5)) {
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
    happened: (_s, rt) => (rt.ctx.store.quarantine.count() > 0 ? null : 'nothing was quarantined'),
    arm: (s) => {
      const c = s.catalog;
      const product = c.rows('products/products')[3];
      const price = c.rows('catalogs/product-prices')[3];
      const image = c.rows('products/product-images')[3];
      const node = c.rows('catalogs/category-nodes')[3];
      const url = c.rows('pretty-urls')[3];
      let id = 800_000;
      const bad = <T extends Record<string, unknown>>(path: Parameters<typeof c.putRaw>[0], base: T, change: Record<string, unknown>) =>
        c.putRaw(path, { ...base, ...change, id: id++, modified_date: c.clock.stamp() });
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

/** How many source requests `command` makes from this state, measured on a copy of the state and index. */
async function requestsOf(command: 'rebuild' | 'sync', env: Record<string, string>, sandbox: Sandbox): Promise<number> {
  const copy = tempDir('feeder-dry-');
  for (const key of ['STATE_PATH', 'SQLITE_PATH'] as const) fs.copyFileSync(env[key], path.join(copy, path.basename(env[key])));
  const dry = { ...env, STATE_PATH: path.join(copy, path.basename(env.STATE_PATH)), SQLITE_PATH: path.join(copy, path.basename(env.SQLITE_PATH)) };
  let n = 0;
  sandbox.onRequest = () => void n++;
  try {
    await withRuntime(dry, (rt) => (command === 'rebuild' ? rebuild(rt.ctx) : sync(rt.ctx)));
  } finally {
    sandbox.onRequest = null;
    fs.rmSync(copy, { recursive: true, force: true });
  }
  return n;
}

/** Whether the state shows `kind` started and never finished: the process died mid-run. */
function diedMidRun(env: Record<string, string>, kind: string): boolean {
  const store = new StateStore(env.STATE_PATH);
  try {
    const [last] = store.runs.recent(1);
    return last?.kind === kind && last.outcome === 'running';
  } finally {
    store.close();
  }
}

/**
 * A CLI run killed with SIGKILL mid-run, then a restart in-process; compared after. Odd seeds kill
 * on a random one of the run's source requests (mid-ingest); even seeds a few milliseconds after its
 * last request (mid-write). The row fails if the kill did not land mid-run (SQLite sink: the request
 * count is measured on a copy of the state and index first).
 */
export async function killRow(command: 'rebuild' | 'sync', seed: number, sink: SinkName, engines: Engines): Promise<RowResult> {
  return withSandbox({ products: 200, seed: 900 + seed }, async (sandbox) => {
    const rng = new Rng(seed);
    const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '10', BATCH_SIZE: '10', ...sinkEnv(sink, engines) });
    await withRuntime(env, (rt) => rebuild(rt.ctx));
    for (let i = 0; i < 80; i++) sandbox.catalog.randomMutation(rng);
    letTimePass(sandbox);
    const total = await requestsOf(command, env, sandbox);
    const midWrite = seed % 2 === 0;
    const killAt = midWrite ? total : rng.int(1, total);
    const delayMs = midWrite ? rng.int(0, 4) : 0;
    let served = 0;
    let child: import('node:child_process').ChildProcess | null = null;
    sandbox.onRequest = () => {
      if (++served !== killAt) return;
      if (delayMs === 0 && !midWrite) child?.kill('SIGKILL');
      else setTimeout(() => child?.kill('SIGKILL'), delayMs);
    };
    const r = await runCli([command], env, { onSpawn: (c) => (child = c) });
    sandbox.onRequest = null;
    if (r.signal !== 'SIGKILL' || !diedMidRun(env, command)) {
      throw new ScenarioDidNotHappen(
        `SIGKILL during ${command} (seed ${seed}): the kill did not land mid-run (exit ${r.code}, signal ${r.signal}, kill at request ${killAt} of ${total} + ${delayMs} ms)`,
      );
    }
    return withRuntime(env, async (rt) => {
      if (command === 'rebuild') await rebuild(rt.ctx);
      else await sync(rt.ctx);
      const where = midWrite ? `${delayMs} ms after the last of ${total} requests` : `at request ${killAt} of ${total}`;
      return { fault: `SIGKILL during ${command} (seed ${seed})`, sink, runs: 2, outcome: `killed ${where}, restarted`, ...(await compare(sandbox, rt)) };
    });
  });
}

export async function diskFullRow(engines: Engines): Promise<RowResult> {
  return withSandbox({ products: 300, seed: 77 }, async (sandbox) => {
    const base = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '50', ...sinkEnv('sqlite', engines) });
    // A state store capped below what the catalog needs: the rebuild must fail cleanly, on the cap.
    const error = await withRuntime({ ...base, STATE_MAX_BYTES: String(400 * 1024) }, (full) =>
      rebuild(full.ctx).then(
        () => null,
        (err: unknown) => err as { code?: string; message?: string },
      ),
    );
    if (error?.code !== 'SQLITE_FULL') {
      throw new ScenarioDidNotHappen(
        `disk full: the store never hit STATE_MAX_BYTES (${error ? `failed otherwise: ${error.code} ${error.message}` : 'the rebuild succeeded'})`,
      );
    }
    // Space freed: the next runs converge.
    return withRuntime(base, async (rt) => {
      await rebuild(rt.ctx);
      for (let i = 0; i < 20; i++) sandbox.catalog.randomMutation();
      letTimePass(sandbox);
      await sync(rt.ctx);
      return {
        fault: 'disk full on the state store',
        sink: 'sqlite',
        runs: 3,
        outcome: 'failed cleanly (SQLITE_FULL), then converged',
        ...(await compare(sandbox, rt)),
      };
    });
  });
}

/**
 * Two runs started together on one state file: each pair must have been refused (exit 1, the lock's
 * holder named) or serialized (both succeeded, one after the other by the run history).
 */
export async function twoFeedersRow(engines: Engines): Promise<RowResult> {
  return withSandbox({ products: 200, seed: 78 }, async (sandbox) => {
    const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '10', ...sinkEnv('sqlite', engines) });
    const pairs: { command: string; results: Awaited<ReturnType<typeof runCli>>[]; pids: number[] }[] = [];
    /** Both feeders of a pair, started together; their pids name the only holders that may refuse them. */
    const pair = async (command: string) => {
      const pids: number[] = [];
      const onSpawn = (child: { pid?: number }) => void (child.pid && pids.push(child.pid));
      const results = await Promise.all([runCli([command], env, { onSpawn }), runCli([command], env, { onSpawn })]);
      pairs.push({ command, results, pids });
    };
    await pair('rebuild');
    for (let i = 0; i < 30; i++) sandbox.catalog.randomMutation();
    letTimePass(sandbox);
    await pair('sync');
    const store = new StateStore(env.STATE_PATH);
    const history = store.runs.recent(20);
    store.close();
    let refused = 0;
    for (const { command, results, pids } of pairs) {
      const codes = results.map((r) => r.code);
      if (codes.includes(1)) {
        const busy = results.find((r) => r.code === 1)!;
        if (!/another run holds lock/.test(busy.stderr) || !codes.includes(0))
          throw new ScenarioDidNotHappen(`two ${command}s: exit codes ${codes.join(',')}: ${results.map((r) => r.stderr.trim()).join(' | ')}`);
        // Refused by the other feeder of the pair, never by a holder this row did not start (a dead
        // process's lock whose pid had been handed on looked alive until platform/process.ts).
        const holder = /holder (\d+)-/.exec(busy.stderr)?.[1];
        if (!holder || !pids.includes(Number(holder)))
          throw new Error(`two ${command}s: refused by holder ${holder ?? '?'}, not one of the pair (${pids.join(', ')}): ${busy.stderr.trim()}`);
        refused++;
        continue;
      }
      if (codes.some((c) => c !== 0))
        throw new ScenarioDidNotHappen(`two ${command}s: unexpected exit codes ${codes.join(',')}: ${results.map((r) => r.stderr.trim()).join(' | ')}`);
      // Both succeeded: the run history must show them one after the other.
      const [a, b] = history
        .filter((h) => h.kind === command)
        .slice(0, 2)
        .sort((x, y) => x.started_at.localeCompare(y.started_at));
      if (!a || !b || !a.finished_at || a.finished_at > b.started_at) {
        throw new ScenarioDidNotHappen(`two ${command}s both succeeded but overlapped: ${JSON.stringify([a, b])}`);
      }
    }
    return withRuntime(env, async (rt) => {
      await sync(rt.ctx);
      return {
        fault: 'two feeders on one state file at once',
        sink: 'sqlite',
        runs: 5,
        outcome: `${refused} of 2 pairs refused by the lock (exit 1), the others serialized`,
        ...(await compare(sandbox, rt)),
      };
    });
  });
}

// --- sink faults ------------------------------------------------------------------------------------------

/** The node of an Elasticsearch-protocol sink killed during a sync's writes and restarted. */
export async function clusterStoppedRow(sink: 'elasticsearch' | 'opensearch', engines: Engines): Promise<RowResult> {
  const es = sink === 'elasticsearch' ? engines.es! : engines.os!;
  const label = sink === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch';
  let stopping: Promise<void> | null = null;
  return scenario({
    fault: `${label} stopped mid-bulk, restarted`,
    sink,
    engines,
    happened: () => (stopping ? null : `${label} was never stopped`),
    // The next run comes once the node is back (a scheduler's tick would come a minute later).
    beforeRetry: async () => stopping,
    arm: (s, rt) => {
      s.onRequest = (resource) => {
        // During the second sync's reads (the run history says which run is reading): the writes
        // that follow hit a dead node.
        if (stopping || resource !== 'products/product-images') return;
        const syncs = rt.ctx.store.runs.recent(50).filter((r) => r.kind === 'sync').length;
        if (syncs === 2) stopping = es.kill!().then(() => es.restart!());
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
    // The double: a real engine cannot be made to fail a task with an internal error on demand.
    env: { MEILI_URL: engines.double!.url, MEILI_API_KEY: engines.double!.opts.apiKey },
    happened: () => (engines.double!.faults.failTasks?.count === 0 ? null : 'not every armed task failure was served'),
    arm: () => {
      engines.double!.faults.failTasks = { count: 3, types: ['documentAdditionOrUpdate', 'documentDeletion'], code: 'internal' };
      return () => void (engines.double!.faults = {});
    },
  });
}

export function rejectedDocumentsRow(sink: SinkName, engines: Engines): Promise<RowResult> {
  return scenario({
    fault: 'documents rejected by the sink',
    sink,
    engines,
    happened: (s, rt) => {
      const wide = String(s.catalog.rows('products/products')[7].id);
      return rt.ctx.store.quarantine.list().some((q) => q.resource === 'product_documents' && q.record_key === wide) ? null : 'the sink rejected nothing';
    },
    arm: (s) => {
      const wide = s.catalog.rows('products/products')[7];
      const attributes = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`attr_${i}`, i]));
      s.catalog.updateProduct(wide.id, { attributes });
    },
  });
}
