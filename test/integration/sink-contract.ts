/*
 * The behaviour every sink owes the feeder and its readers, run against each engine: the embedded
 * SQLite sink and a real Elasticsearch (and, where configured, Meilisearch).
 */
import { rebuild } from '../../src/sync/rebuild';
import { anyOf, within } from '../../src/sink/types';
import { sync } from '../../src/sync/sync';
import type { Sandbox } from '../../src/sandbox/server';
import type { Runtime } from '../../src/wiring/runtime';
import { live, type SinkDocument } from '../../src/sink/types';
import { SinkError } from '../../src/errors';
import { exportDocs, feederEnv, letTimePass, openFeeder, referenceDocs, searcher, startSandbox, tempDir, withFeeder } from '../helpers/harness';
import { testUnless } from '../helpers/skip';
import { rebuildPlan } from '../../src/state/run-state';

export interface SinkUnderTest {
  /** Environment selecting the engine (SINK, URLs) for a fresh index named `index`. */
  env(index: string): Record<string, string>;
}

let counter = 0;
const uniqueIndex = () => `t${process.pid}_${Date.now() % 1e6}_${counter++}`;

export function sinkContract(name: string, engine: () => SinkUnderTest): void {
  describe(`sink contract: ${name}`, () => {
    let sandbox: Sandbox;
    let rt: Runtime;
    let docs: SinkDocument[];

    beforeAll(async () => {
      sandbox = await startSandbox({ products: 400, seed: 404 });
      rt = await openFeeder(feederEnv(sandbox, tempDir(), engine().env(uniqueIndex())));
      await rebuild(rt.ctx);
      docs = await exportDocs(rt);
    });
    afterAll(async () => {
      await rt.close();
      await sandbox.stop();
    });

    test('a rebuild holds exactly the contract documents a fresh embedded rebuild gives', async () => {
      const ref = await referenceDocs(sandbox);
      expect(docs).toEqual(ref.products);
      expect(await exportDocs(rt, 'categories')).toEqual(ref.categories);
    });

    test('an index stamped with AKINON_URL credentials (by an earlier version) keeps none after the next run', async () => {
      // What an earlier version stored: the URL with its user and password, in the index stamp and the state store.
      const leaked = 'https://shop-user:s3cret-Pa55@omnitron.example.com channel 1';
      for (const kind of ['products', 'categories'] as const) {
        const stamp = await rt.ctx.sink.stamp(kind);
        await rt.ctx.sink.restamp(kind, { source: leaked, profile: stamp?.profile ?? null });
      }
      expect((await rt.ctx.sink.stamp('products'))?.source).toBe(leaked);
      const { scrubStamps } = await import('../../src/sync/source-identity');
      await scrubStamps(rt.ctx.sink);
      for (const kind of ['products', 'categories'] as const) {
        expect((await rt.ctx.sink.stamp(kind))?.source).toBe('https://omnitron.example.com channel 1');
      }
      // Put back what this index was built from, for the tests that follow.
      for (const kind of ['products', 'categories'] as const) {
        const stamp = await rt.ctx.sink.stamp(kind);
        await rt.ctx.sink.restamp(kind, { source: rt.ctx.sourceId, profile: stamp?.profile ?? null });
      }
    });

    test('attribute values of mixed types across products index without error', () => {
      // (the sandbox generates size as "M" or 42 and has_dynamic_price as true or "yes")
      const sizes = new Set(docs.map((d) => typeof (d.attributes as Record<string, unknown>).size));
      const dynamic = new Set(docs.map((d) => typeof (d.attributes as Record<string, unknown>).has_dynamic_price));
      expect([...sizes].sort()).toEqual(['number', 'string']);
      expect([...dynamic].sort()).toEqual(['boolean', 'string']);
      expect(docs).toHaveLength(400);
    });

    test('storefront query: text + category filter + price range + attribute facet + sort by price', async () => {
      // Words as the engines see them: name, SKU, base code, attribute labels and category names.
      const tokens = (d: SinkDocument) =>
        [d.name, d.sku, d.base_code, ...Object.values(d.attribute_labels as Record<string, unknown>), ...(d.category_names as string[])]
          .filter((v): v is string => typeof v === 'string')
          .flatMap((v) => v.toLocaleLowerCase('tr').match(/[\p{L}\p{N}]+/gu) ?? []);
      const vocabulary = [...new Set(docs.flatMap(tokens))];
      const unambiguous = new Map<string, boolean>();
      const isUnambiguous = (w: string) => {
        if (!unambiguous.has(w)) unambiguous.set(w, !vocabulary.some((t) => t !== w && t.startsWith(w)));
        return unambiguous.get(w)!;
      };
      const tokenSets = new Map(docs.map((d) => [d, new Set(tokens(d))]));
      const tried = new Set<string>();
      const inRange = (d: SinkDocument) => typeof d.price === 'number' && d.price >= 50 && d.price <= 3000;
      // The (category, word) pair with the most hits, among words no other word starts with.
      let best: { categoryId: number; word: string; expected: SinkDocument[] } | null = null;
      for (const d of docs) {
        for (const categoryId of d.category_ids as number[]) {
          for (const word of (d.category_names as string[]).map((n) => n.toLocaleLowerCase('tr')).filter((w) => /^[a-zçğıöşü]+$/.test(w) && !/[ıi]/.test(w))) {
            if (tried.has(`${categoryId}:${word}`) || !isUnambiguous(word)) continue;
            tried.add(`${categoryId}:${word}`);
            const expected = docs.filter((x) => (x.category_ids as number[]).includes(categoryId) && inRange(x) && tokenSets.get(x)!.has(word));
            if (!best || expected.length > best.expected.length) best = { categoryId, word, expected };
          }
        }
      }
      const { categoryId, word } = best!;
      const expected = best!.expected.sort((a, b) => (a.price as number) - (b.price as number) || Number(a.id) - Number(b.id));
      expect(expected.length).toBeGreaterThan(2);
      const result = await searcher(rt).search({
        text: word,
        filters: [anyOf('category_ids', [categoryId]), within('price', { min: 50, max: 3000 })],
        sort: 'price',
        limit: 500,
        facets: ['integration_color'],
      });
      expect(result.hits.map((h) => h.id)).toEqual(expected.map((d) => d.id));
      expect(result.total).toBe(expected.length);
      const colors = new Map<string, number>();
      for (const d of expected) {
        const c = String((d.attributes as Record<string, unknown>).integration_color);
        colors.set(c, (colors.get(c) ?? 0) + 1);
      }
      expect(new Map(result.facets!.integration_color.map((f) => [f.value, f.count]))).toEqual(colors);
    });

    test('explain: the same answer, with the engine requests the search sent and their times', async () => {
      const q = { text: 'a', facets: ['integration_color'], sort: 'price', limit: 5 };
      const plain = await searcher(rt).search(q);
      const explained = await searcher(rt).search({ ...q, explain: true });
      const { explain, ...rest } = explained;
      expect(rest).toEqual(plain);
      expect(explain!.length).toBeGreaterThan(0);
      for (const r of explain!) {
        expect(r.engine).toBe(rt.ctx.sink.engine);
        expect(r.ms).toBeGreaterThanOrEqual(0);
      }
      // The request names what was asked: the sort field is in it, whatever the engine's language.
      expect(JSON.stringify(explain)).toContain('price');
    });

    test('price bounds: `>` and `<` exclude the bound, `>=` and `<=` include it', async () => {
      const docs = await exportDocs(rt);
      const bound = docs.map((d) => d.price).find((p): p is number => typeof p === 'number' && p > 0)!;
      const at = docs.filter((d) => d.price === bound).map((d) => d.id);
      const ids = async (q: Parameters<ReturnType<typeof searcher>['search']>[0]) => (await searcher(rt).search({ limit: 1000, ...q })).hits.map((h) => h.id);
      const inclusive = await ids({ filters: [within('price', { min: bound })] });
      const exclusive = await ids({ filters: [within('price', { min: bound, minExclusive: true })] });
      expect(at.length).toBeGreaterThan(0);
      for (const id of at) {
        expect(inclusive).toContain(id);
        expect(exclusive).not.toContain(id);
      }
      expect(await ids({ filters: [within('price', { max: bound, maxExclusive: true })] })).not.toEqual(expect.arrayContaining(at));
      expect(await ids({ filters: [within('price', { max: bound })] })).toEqual(expect.arrayContaining(at));
    });

    test('two clauses on one facet must both hold: a category page narrowed to another node', async () => {
      const docs = await exportDocs(rt);
      const inCategory = new Map<number, Set<unknown>>();
      for (const d of docs) for (const c of d.category_ids as number[]) inCategory.set(c, (inCategory.get(c) ?? new Set()).add(d.id));
      const nodes = [...inCategory.keys()];
      // Two nodes sharing some products but not all of the first (a parent and its child will do): any-of would be their union.
      const [a, b] = nodes
        .flatMap((x) => nodes.map((y) => [x, y]))
        .find(([x, y]) => {
          const both = [...inCategory.get(x)!].filter((id) => inCategory.get(y)!.has(id)).length;
          return both > 0 && both < inCategory.get(x)!.size;
        })!;
      const expected = [...inCategory.get(a)!].filter((id) => inCategory.get(b)!.has(id));
      const result = await searcher(rt).search({ filters: [anyOf('category_ids', [a]), anyOf('category_ids', [b])], limit: 1000 });
      expect(result.hits.map((h) => h.id).sort()).toEqual(expected.sort());
      expect(result.total).toBe(expected.length);
    });

    test('during a rebuild, readers of the public index never see zero or a partial count', async () => {
      const seen = new Set<number>();
      let running = true;
      const reader = (async () => {
        while (running) {
          seen.add((await searcher(rt).search({ limit: 1 })).total);
          // An embedded sink answers synchronously: let the rebuild's I/O run between reads.
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await rebuild(rt.ctx);
      running = false;
      await reader;
      expect([...seen]).toEqual([400]);
    });

    test('a rebuild that fails leaves the public index untouched and removes its partial index', async () => {
      const before = await exportDocs(rt);
      let created: string | null = null;
      sandbox.onRequest = (resource) => {
        if (resource === 'products/product-images') {
          created ??= rebuildPlan(rt.ctx.store)?.products ?? null;
          sandbox.faults = { rate: 1, kinds: ['500'] };
        }
      };
      try {
        await expect(rebuild(rt.ctx)).rejects.toMatchObject({ code: 'FEEDER_ERR_SOURCE', status: 500 });
      } finally {
        sandbox.onRequest = null;
        sandbox.faults = null;
      }
      expect(created).not.toBeNull();
      expect(await rt.ctx.sink.has({ kind: 'products', name: created! })).toBe(false);
      expect(rt.ctx.store.records.get('rebuild')).toBeNull();
      expect(await exportDocs(rt)).toEqual(before);
    });

    test('incremental writes and deletes reach the public index', async () => {
      const { catalog } = sandbox;
      for (let i = 0; i < 25; i++) catalog.randomMutation();
      letTimePass(sandbox);
      await sync(rt.ctx);
      const ref = await referenceDocs(sandbox);
      expect(await exportDocs(rt)).toEqual(ref.products);
      expect(await exportDocs(rt, 'categories')).toEqual(ref.categories);
    });
  });
}

/**
 * The engine goes away mid-sync (during the reads, before the writes): the run fails with a
 * SinkError and the watermarks stay; once the engine is back, the next sync repairs the index.
 */
export async function expectOutageRepaired(
  sandbox: Sandbox,
  rt: Runtime,
  engine: { down(): Promise<void>; up(): Promise<void> },
  mutations: number,
): Promise<void> {
  await rebuild(rt.ctx);
  for (let i = 0; i < mutations; i++) sandbox.catalog.randomMutation();
  letTimePass(sandbox);
  const before = rt.ctx.store.cursors.all();
  // An object, not a `let`: the callback assigns it, which flow analysis cannot see.
  const outage: { going: Promise<void> | null } = { going: null };
  sandbox.onRequest = (resource) => {
    if (!outage.going && resource === 'products/product-images') outage.going = engine.down();
  };
  try {
    const failure = await sync(rt.ctx).catch((e: unknown) => e);
    // The fault happened: the engine was taken down during the sync's reads.
    expect(outage.going).not.toBeNull();
    await outage.going;
    expect(failure).toBeInstanceOf(SinkError);
  } finally {
    sandbox.onRequest = null;
  }
  expect(rt.ctx.store.cursors.all()).toEqual(before);
  expect(rt.ctx.store.runs.recent(1)[0].outcome).toBe('failed');
  await engine.up();
  await sync(rt.ctx);
  expect(await exportDocs(rt)).toEqual((await referenceDocs(sandbox)).products);
}

/**
 * What an Elasticsearch-protocol sink (Elasticsearch, OpenSearch) owes beyond the contract, against
 * its real node: a document the cluster refuses (a mapping limit) is quarantined alone, and the node
 * killed mid-sync is repaired by the next sync once it is back. `external` names the setting that
 * points the suite at a cluster of someone else's, which cannot be killed from here.
 */
export function clusterSinkFaults(
  label: string,
  engine: () => { env: (index: string) => Record<string, string>; node: { kill?(): Promise<void>; restart?(): Promise<void> }; external: string | null },
): void {
  test('a document the cluster rejects is quarantined with its reason; the rest of the batch lands', async () => {
    await withFeeder({ products: 80, seed: 62 }, engine().env('rejects'), async (sandbox, rt) => {
      const { catalog } = sandbox;
      // Over the mapping's limit of 2,000 fields: 2,500 attributes make at least 2,500 label fields.
      const wide = { ...catalog.rows('products/products')[10] };
      const attributes = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`attr_${i}`, i]));
      catalog.updateProduct(wide.id, { attributes });
      const summary = await rebuild(rt.ctx);
      // Rejected on the load and again by the catch-up (it was edited after the rebuild began).
      expect(summary.rejected).toBeGreaterThanOrEqual(1);
      expect(summary.written).toBe(79);
      const rejected = rt.ctx.store.quarantine.list().filter((r) => r.resource === 'product_documents');
      expect(rejected).toHaveLength(1);
      const [q] = rejected;
      expect(q.record_key).toBe(String(wide.id));
      expect(q.reason).toMatch(/Limit of total fields \[2000\]/);
      expect((await exportDocs(rt)).map((d) => d.id)).not.toContain(String(wide.id));
      expect(await rt.ctx.sink.count(live(rt.ctx.sink, 'products'))).toBe(79);
    });
  });

  const external = engine().external;
  const killable = testUnless(external ? `an external cluster (${external}) cannot be killed from here` : null);
  killable(`${label} killed mid-sync: the run fails cleanly, the watermark stays, the next run after restart repairs`, async () => {
    const { env, node } = engine();
    await withFeeder({ products: 200, seed: 63 }, { ...env('killed'), ES_REQUEST_TIMEOUT_MS: '5000' }, (sandbox, rt) =>
      expectOutageRepaired(sandbox, rt, { down: () => node.kill!(), up: () => node.restart!() }, 40),
    );
  });
}
