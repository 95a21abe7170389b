/*
 * Shaping the index (docs/PROFILE.md): the Turkish fashion example's profile and transform over
 * every sink — the embedded index, a real Elasticsearch, a real OpenSearch and a real Meilisearch —
 * must answer the same queries with the same hits and count the same facets; a transform that
 * throws quarantines exactly its product; a changed profile is rolled in by `serve` while searches
 * keep answering.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import type { Sandbox } from '../../src/sandbox/server';
import type { SinkDocument } from '../../src/sink/types';
import { openLiveIndex } from '../../src/sink';
import { loadConfig } from '../../src/config/load';
import { shapeChange } from '../../src/sync/source-identity';
import { BUILTIN_FINGERPRINT } from '../../src/profile/load';
import { sinkEnv, useEngines, type SinkName } from '../faults/matrix';
import { exportDocs, feederEnv, searcher, tempDir, withRuntime, withSandbox } from '../helpers/harness';
import { eventually, runCli, startServe } from '../helpers/cli';
import { availableSinks } from '../helpers/skip';

const EXAMPLE = path.resolve(__dirname, '../../examples/turkish-fashion');
const SINKS: SinkName[] = availableSinks(['sqlite', 'elasticsearch', 'opensearch', 'meilisearch']);
const engines = useEngines('profile-meili-key');
const example = { SEARCH_PROFILE: path.join(EXAMPLE, 'profile.json'), TRANSFORM_MODULE: path.join(EXAMPLE, 'transform.js') };
const BRANDS = ['Koton', 'Mavi', 'LC Waikiki', 'Defacto'];

/** The catalog edits the example's features need: T-Shirt names, brands, English names, a bundle. */
function shapeCatalog(sandbox: Sandbox): { tshirts: number[]; oxford: number[]; bundle: number } {
  const { catalog } = sandbox;
  catalog.rows('products/products').forEach((p, i) => {
    const attributes = { ...(p.attributes as Record<string, unknown>), brand: BRANDS[i % BRANDS.length] };
    catalog.updateProduct(p.id, { attributes });
  });
  const products = catalog.rows('products/products').filter((p) => p.parent === null);
  const tshirts = products.slice(0, 4).map((p) => p.id);
  tshirts.forEach((id, i) => catalog.updateProduct(id, { name: `Basic T-Shirt ${i + 1}` }));
  const oxford = products.slice(4, 7).map((p) => p.id);
  for (const id of oxford) catalog.updateProduct(id, { localized_attributes: { 'en-us': { name: 'Classic Oxford Shirt' } } });
  const bundle = products[7].id;
  catalog.updateProduct(bundle, { product_type: '2' });
  return { tshirts, oxford, bundle };
}

const ids = (hits: { id: string | number }[]) => hits.map((h) => String(h.id)).sort((a, b) => Number(a) - Number(b));

describe('the Turkish fashion example on every sink', () => {
  const results = new Map<SinkName, { docs: SinkDocument[]; answers: Record<string, unknown> }>();
  let shaped: ReturnType<typeof shapeCatalog>;

  beforeAll(async () => {
    await withSandbox({ products: 160, seed: 1616 }, async (sandbox) => {
      shaped = shapeCatalog(sandbox);
      for (const sink of SINKS) {
        await withRuntime(feederEnv(sandbox, tempDir(), { ...sinkEnv(sink, engines), ...example }), async (rt) => {
          await rebuild(rt.ctx);
          const s = searcher(rt);
          const q = (text: string, extra: Record<string, unknown> = {}) => s.search({ text, limit: 1000, ...extra });
          const answers: Record<string, unknown> = {
            tisort: ids((await q('tişört')).hits),
            tshirt: ids((await q('tshirt')).hits),
            oxford: ids((await q('oxford')).hits),
            oxfordEn: ids((await q('oxford', { locale: 'en-us' })).hits),
            shirtEn: ids((await q('shirt', { locale: 'en-us' })).hits),
            facets: (await s.search({ limit: 1, facets: ['marka', 'renk', 'beden'] })).facets,
            ranges: (await s.search({ limit: 1, facets: ['fiyat'] })).ranges,
            rangesOfTisort: (await q('tişört', { facets: ['fiyat'] })).ranges,
            facetsOfTisort: (await q('tişört', { facets: ['marka'] })).facets,
          };
          results.set(sink, { docs: await exportDocs(rt), answers });
        });
      }
    });
  }, 600_000);

  test('tişört finds the T-Shirt products (and tshirt the same), through the profile synonyms', () => {
    for (const sink of SINKS) {
      const a = results.get(sink)!.answers;
      expect({ sink, has: shaped.tshirts.every((id) => (a.tisort as string[]).includes(String(id))) }).toEqual({ sink, has: true });
      expect({ sink, same: a.tshirt }).toEqual({ sink, same: a.tisort });
    }
  });

  test('the same queries give the same hit sets on every sink', () => {
    const reference = results.get('sqlite')!.answers;
    for (const sink of SINKS) {
      // (`shirt` is left out: Meilisearch's typo tolerance also finds "shorts", by design)
      const { facets: _f, facetsOfTisort: _g, shirtEn: _s, ranges: _r, rangesOfTisort: _rt, ...a } = results.get(sink)!.answers;
      const { facets: _h, facetsOfTisort: _i, shirtEn: _t, ranges: _r2, rangesOfTisort: _rt2, ...r } = reference;
      expect({ sink, ...a }).toEqual({ sink, ...r });
    }
  });

  test('English names are searched with locale=en-us only', () => {
    for (const sink of SINKS) {
      const a = results.get(sink)!.answers;
      expect({ sink, en: a.oxfordEn, tr: a.oxford }).toEqual({ sink, en: shaped.oxford.map(String), tr: [] });
      expect({ sink, shirt: shaped.oxford.every((id) => (a.shirtEn as string[]).includes(String(id))) }).toEqual({ sink, shirt: true });
    }
  });

  test('the facets count the same on every sink, and what the documents hold', () => {
    const docs = results.get('sqlite')!.docs;
    const count = (value: (d: SinkDocument) => unknown) => {
      const m = new Map<string, number>();
      for (const d of docs) {
        const v = value(d);
        if (typeof v === 'string' || typeof v === 'number') m.set(String(v), (m.get(String(v)) ?? 0) + 1);
      }
      return m;
    };
    const expected = {
      marka: count((d) => d.brand),
      renk: count((d) => (d.attributes as Record<string, unknown>).integration_color),
      beden: count((d) => (d.attributes as Record<string, unknown>).size),
    };
    for (const sink of SINKS) {
      const facets = results.get(sink)!.answers.facets as Record<string, { value: string; count: number }[]>;
      for (const [key, want] of Object.entries(expected)) {
        expect({ sink, key, counts: new Map(facets[key].map((f) => [f.value, f.count])) }).toEqual({ sink, key, counts: want });
      }
      expect({ sink, t: results.get(sink)!.answers.facetsOfTisort }).toEqual({ sink, t: results.get('sqlite')!.answers.facetsOfTisort });
      // The range facet: the lowest and highest price among the matches.
      const prices = docs.map((d) => d.price).filter((p): p is number => typeof p === 'number');
      expect({ sink, r: results.get(sink)!.answers.ranges }).toEqual({ sink, r: { fiyat: { min: Math.min(...prices), max: Math.max(...prices) } } });
      expect({ sink, r: results.get(sink)!.answers.rangesOfTisort }).toEqual({ sink, r: results.get('sqlite')!.answers.rangesOfTisort });
    }
  });

  test('the transform shaped every document: brand and English name added, the bundle left out, the rest contract v1', () => {
    for (const sink of SINKS) {
      const { docs } = results.get(sink)!;
      expect({ sink, docs }).toEqual({ sink, docs: results.get('sqlite')!.docs });
    }
    const docs = results.get('sqlite')!.docs;
    expect(docs.map((d) => d.id)).not.toContain(String(shaped.bundle));
    const oxford = docs.find((d) => d.id === String(shaped.oxford[0]))!;
    expect(oxford).toMatchObject({ name_en: 'Classic Oxford Shirt', i18n: { 'en-us': { name: 'Classic Oxford Shirt' } } });
    expect(new Set(docs.map((d) => d.brand))).toEqual(new Set(BRANDS));
  });
});

describe('a transform that throws', () => {
  test('quarantines exactly that product, with the reason; the others land; a later fix indexes it', async () => {
    await withSandbox({ products: 60, seed: 1617 }, async (sandbox) => {
      const dir = tempDir();
      const victim = sandbox.catalog.rows('products/products')[12].id;
      const module = path.join(dir, 'transform.js');
      fs.writeFileSync(
        module,
        `module.exports.transform = (doc) => { if (doc.product_id === ${victim}) throw new Error('no brand for ' + doc.id); return doc; };\n`,
      );
      const env = feederEnv(sandbox, dir, { TRANSFORM_MODULE: module });
      const all = sandbox.catalog.rows('products/products').length;
      await withRuntime(env, async (rt) => {
        const summary = await rebuild(rt.ctx);
        expect(summary.rejected).toBe(1);
        const quarantined = rt.ctx.store.quarantine.list().filter((q) => q.resource === 'product_documents');
        expect(quarantined.map((q) => [q.record_key, q.reason])).toEqual([[String(victim), `transform threw: no brand for ${victim}`]]);
        const docs = await exportDocs(rt);
        expect(docs).toHaveLength(all - 1);
        expect(docs.map((d) => d.id)).not.toContain(String(victim));
      });
      // The fixed transform is a new shape: sync says so in one line and a rebuild rolls it in.
      fs.writeFileSync(module, 'module.exports.transform = (doc) => doc;\n');
      const refused = await runCli(['sync'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(
        /^feeder: the search profile changed: .* run `feeder rebuild` to roll it in with no downtime .*\[FEEDER_ERR_SHAPE_CHANGED\]/,
      );
      await withRuntime(env, async (rt) => {
        await rebuild(rt.ctx);
        expect(await exportDocs(rt)).toHaveLength(all);
        expect(rt.ctx.store.quarantine.list().filter((q) => q.resource === 'product_documents')).toEqual([]);
        await sync(rt.ctx);
      });
      expect((await runCli(['status'], env)).stdout).toMatch(/^shape: [0-9a-f]{16}$/m);
    });
  }, 120_000);
});

describe('rolling a changed profile in', () => {
  test.each(SINKS.filter((s) => s === 'sqlite' || s === 'meilisearch'))(
    'serve rebuilds with the new synonym while searches keep answering (%s)',
    async (sink) => {
      await withSandbox({ products: 200, seed: 1618 }, async (sandbox) => {
        shapeCatalog(sandbox);
        const dir = tempDir();
        const profileFile = path.join(dir, 'profile.json');
        const profile = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'profile.json'), 'utf8')) as { synonyms: { groups: string[][] } };
        fs.writeFileSync(profileFile, JSON.stringify(profile));
        const env = feederEnv(sandbox, dir, { ...sinkEnv(sink, engines), ...example, SEARCH_PROFILE: profileFile, SYNC_CRON: '0 0 1 1 *' });
        await withRuntime(env, (rt) => rebuild(rt.ctx));
        const reader = await openLiveIndex(loadConfig(env));
        try {
          // "cotton" is in English names only, searched with locale=en-us: without it, nothing yet.
          expect((await reader.search({ text: 'cotton', limit: 1 })).total).toBe(0);
          expect((await reader.search({ text: 'pamuklu', limit: 1 })).total).toBeGreaterThan(0);
          profile.synonyms.groups.push(['cotton', 'pamuklu']);
          fs.writeFileSync(profileFile, JSON.stringify(profile));
          const serve = await startServe(env);
          const answered: number[] = [];
          try {
            // Searches run the whole time; every one must answer with the whole index.
            const stampOf = async () => ((await reader.stamp('products')) ?? { profile: null }).profile;
            const before = await stampOf();
            await eventually(
              async () => {
                const r = await reader.search({ text: 'tişört', limit: 1 });
                answered.push(r.total);
                return (await stampOf()) !== before ? true : undefined;
              },
              120_000,
              () => serve.output(),
            );
            expect(serve.output()).toMatch(/the search profile changed: .*: rebuilding with no downtime/);
            expect(answered.length).toBeGreaterThan(1);
            expect(Math.min(...answered)).toBeGreaterThan(0);
            expect(new Set(answered).size).toBe(1);
            // The new synonym answers (on Meilisearch from the new index's settings; the embedded
            // index expands queries with the configured profile's synonyms).
            const fresh = await openLiveIndex(loadConfig(env));
            try {
              expect((await fresh.search({ text: 'cotton', limit: 1 })).total).toBe((await fresh.search({ text: 'pamuklu', limit: 1 })).total);
            } finally {
              await fresh.close();
            }
          } finally {
            serve.child.kill('SIGTERM');
            await serve.exited;
          }
        } finally {
          await reader.close();
        }
      });
    },
    180_000,
  );
});

describe('a transform written as an ES module', () => {
  test('is loaded by the CLI like a CommonJS one (export function transform)', async () => {
    await withSandbox({ products: 30, seed: 1619 }, async (sandbox) => {
      const dir = tempDir();
      const module = path.join(dir, 'transform.mjs');
      fs.writeFileSync(module, 'export function transform(doc) {\n  return doc.product_type === "1" ? null : { ...doc, brand: "Koton" };\n}\n');
      const profile = path.join(dir, 'profile.json');
      fs.writeFileSync(profile, JSON.stringify({ searchable: [{ field: 'name', weight: 1 }], fields: { brand: 'keyword' } }));
      const env = feederEnv(sandbox, dir, { TRANSFORM_MODULE: module, SEARCH_PROFILE: profile });
      const built = await runCli(['rebuild'], env);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      const exported = await runCli(['export'], env);
      const docs = exported.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as SinkDocument);
      expect(docs.length).toBeGreaterThan(0);
      expect(docs.every((d) => d.brand === 'Koton' && d.product_type !== '1')).toBe(true);
      expect(docs.length).toBe(sandbox.catalog.rows('products/products').filter((p) => p.product_type !== '1').length);
    });
  }, 120_000);
});

describe('an index from before profiles', () => {
  test('its missing stamp reads as the built-in profile: sync runs, and the next rebuild records the fingerprint (embedded index)', async () => {
    await withSandbox({ products: 30, seed: 1620 }, async (sandbox) => {
      const env = feederEnv(sandbox, tempDir());
      await withRuntime(env, (rt) => rebuild(rt.ctx));
      // The stamp table as it was before profiles: no `profile` column.
      const db = new Database(env.SQLITE_PATH);
      db.exec('ALTER TABLE _feeder_origin DROP COLUMN profile');
      db.close();
      await withRuntime(env, async (rt) => {
        expect(await rt.ctx.sink.stamp('products')).toEqual({ source: rt.ctx.sourceId, profile: null });
        expect(await shapeChange(rt.ctx)).toBeNull();
        await sync(rt.ctx);
        await rebuild(rt.ctx);
        expect(await rt.ctx.sink.stamp('products')).toEqual({ source: rt.ctx.sourceId, profile: BUILTIN_FINGERPRINT });
      });
    });
  }, 60_000);
});
