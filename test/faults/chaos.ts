/*
 * The randomized chaos test. One seed is one story: a full index, then several CLI runs (rebuild,
 * sync, reconcile) in random order, each with random catalog edits (deletions included) made just
 * before it and while it runs, random source faults, and a SIGKILL at a random point of some of
 * them. Then the faults stop, one clean sync runs, and the index must equal a clean rebuild of the
 * final catalog, with `feeder status` healthy exactly when it does.
 */
import { Rng } from '../../src/sandbox/random';
import type { FaultKind, Sandbox } from '../../src/sandbox/server';
import type { RawRecord } from '../../src/sandbox/tables';
import { healthReport } from '../../src/service/health';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { runCli } from '../helpers/cli';
import { feederEnv, letTimePass, tempDir, withRuntime, withSandbox } from '../helpers/harness';
import { compare, sinkEnv, type Engines, type SinkName } from './matrix';

export interface ChaosResult {
  seed: number;
  sink: SinkName;
  /** CLI runs before the final clean sync. */
  runs: number;
  /** Runs that died by SIGKILL before they finished. */
  kills: number;
  /** Runs that failed on their own (source faults past their retries). */
  failed: number;
  /** Source faults served. */
  faults: number;
  edits: number;
  /** Rows committed late (dated inside the overlap, after a sync had read past that time), then one sync. */
  late: number;
  lost: number;
  duplicates: number;
  equal: boolean;
  healthy: boolean;
  /** What replays this seed. */
  replay: string;
}

const COMMANDS = ['rebuild', 'sync', 'sync', 'reconcile'] as const;
const FAULT_KINDS: FaultKind[] = ['429', '500', '503', 'reset', 'truncated', 'malformed', 'slow'];

/** One random edit, deletions of every joined resource included. */
function edit(sandbox: Sandbox, rng: Rng): void {
  const c = sandbox.catalog;
  const pick = <T>(rows: readonly T[]) => (rows.length ? rng.pick(rows) : undefined);
  switch (rng.int(0, 5)) {
    case 0: {
      const p = pick(c.rows('catalogs/product-prices'));
      if (p) c.deletePrice(p.id);
      return;
    }
    case 1: {
      const i = pick(c.rows('products/product-images'));
      if (i) c.deleteImage(i.id);
      return;
    }
    case 2: {
      // A leaf: deleting an inner node would orphan a subtree, which the source never does.
      const n = pick(c.rows('catalogs/category-nodes').filter((x) => x.numchild === 0 && x.depth !== 0));
      if (n) c.deleteCategory(n.id);
      return;
    }
    case 3: {
      const u = pick(c.rows('pretty-urls').filter((x) => x.parent !== null));
      if (u) c.deletePrettyUrl(u.id);
      return;
    }
    default:
      c.randomMutation(rng);
  }
}

/**
 * Price changes and renames committed late: dated 1 to 8 s in the past (inside the default
 * 10 s overlap). Only rows last changed before that date: a late commit never predates the version
 * it replaces. Returns how many were made.
 */
function lateCommits(sandbox: Sandbox, rng: Rng): number {
  const c = sandbox.catalog;
  const ago = rng.int(1000, 8000);
  const at = new Date(c.clock.now().getTime() - ago).toISOString();
  const older = (rows: readonly RawRecord[]) => rows.filter((r) => String(r.modified_date) < at);
  return c.backdated(ago, () => {
    let made = 0;
    const prices = older(c.rows('catalogs/product-prices'));
    const products = older(c.rows('products/products'));
    for (let i = 0; i < 4; i++) {
      const p = prices.length ? prices.splice(rng.int(0, prices.length - 1), 1)[0] : undefined;
      if (p && c.setPrice(p.id, rng.int(10, 4000) + 0.49)) made++;
      const q = products.length ? products.splice(rng.int(0, products.length - 1), 1)[0] : undefined;
      if (q && c.updateProduct(q.id, { name: `${String(q.name)} late` })) made++;
    }
    return made;
  });
}

export async function chaosSeed(seed: number, sink: SinkName, engines: Engines): Promise<ChaosResult> {
  const rng = new Rng(seed * 7919 + 17);
  return withSandbox({ products: rng.int(40, 90), seed: 3000 + seed }, async (sandbox) => {
    const env = feederEnv(sandbox, tempDir('feeder-chaos-'), {
      AKINON_PAGE_SIZE: String(rng.pick([7, 10, 25])),
      BATCH_SIZE: String(rng.pick([5, 10, 50])),
      AKINON_MAX_RETRIES: '6',
      AKINON_TIMEOUT_MS: '250',
      ...sinkEnv(sink, engines),
    });
    const result: ChaosResult = {
      seed,
      sink,
      runs: 0,
      kills: 0,
      failed: 0,
      faults: 0,
      edits: 0,
      late: 0,
      lost: 0,
      duplicates: 0,
      equal: false,
      healthy: false,
      replay: `FEEDER_CHAOS_SEED=${seed} FEEDER_CHAOS_SINK=${sink} npx jest test/faults/chaos.test.ts`,
    };
    const edits = (n: number) => {
      for (let i = 0; i < n; i++) edit(sandbox, rng);
      result.edits += n;
    };

    await withRuntime(env, (rt) => rebuild(rt.ctx));
    const rounds = rng.int(3, 5);
    for (let round = 0; round < rounds; round++) {
      const command = rng.pick(COMMANDS);
      edits(rng.int(0, 8));
      letTimePass(sandbox, rng.int(0, 3000));
      sandbox.faults = rng.chance(0.7) ? { rate: 0.12, kinds: FAULT_KINDS, retryAfterSeconds: 0, slowMs: 400 } : null;
      // Edits while the run reads, and maybe a SIGKILL at one of its requests (or a moment after
      // it). Reconcile reads no source: its kill is timed from its start.
      const editAt = rng.int(1, 12);
      const kill = rng.chance(0.6);
      const killAt = kill && command !== 'reconcile' ? rng.int(1, command === 'sync' ? 10 : 40) : 0;
      const killDelay = rng.chance(0.5) ? rng.int(1, 40) : 0;
      const killAfterMs = kill && command === 'reconcile' ? rng.int(150, 900) : 0;
      let served = 0;
      let child: import('node:child_process').ChildProcess | null = null;
      sandbox.onRequest = () => {
        served++;
        if (served === editAt) edits(rng.int(1, 4));
        if (served !== killAt) return;
        if (killDelay === 0) child?.kill('SIGKILL');
        else setTimeout(() => child?.kill('SIGKILL'), killDelay);
      };
      const r = await runCli([command], env, {
        onSpawn: (c) => {
          child = c;
          if (killAfterMs) setTimeout(() => c.kill('SIGKILL'), killAfterMs).unref();
        },
      });
      sandbox.onRequest = null;
      result.runs++;
      if (r.signal === 'SIGKILL') result.kills++;
      else if (r.code !== 0) {
        // A failed run must say so in one line; a refused rebuild or a wrong source would be a bug here.
        if (!/^feeder: /m.test(r.stderr) || /SHRINK_REFUSED|AKINON_URL/.test(r.stderr))
          throw new Error(`seed ${seed}: ${command} failed unexpectedly: ${r.stderr.slice(-500)}`);
        result.failed++;
      }
    }
    result.faults = sandbox.faultsInjected;
    sandbox.faults = null;
    letTimePass(sandbox);
    return withRuntime(env, async (rt) => {
      await sync(rt.ctx);
      // Late commits: after that sync read up to the source clock, rows appear dated a few seconds
      // before it (inside SYNC_OVERLAP_SECONDS). The very next sync must land every one of them.
      result.late = lateCommits(sandbox, rng);
      if (result.late === 0) throw new Error(`seed ${seed}: no late commit could be made`);
      await sync(rt.ctx);
      Object.assign(result, await compare(sandbox, rt));
      result.healthy = healthReport(rt.ctx.store, rt.ctx.config).ok;
      return result;
    });
  });
}
