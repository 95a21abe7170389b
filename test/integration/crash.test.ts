import type { ChildProcess } from 'node:child_process';
import { rebuild } from '../../src/sync/rebuild';
import { sync } from '../../src/sync/sync';
import { Rng } from '../../src/sandbox/random';
import { exportDocs, feederEnv, letTimePass, openFeeder, referenceDocs, startSandbox, tempDir } from '../helpers/harness';
import { runCli } from '../helpers/cli';

/*
 * A feeder killed with SIGKILL at a random point, then started again, ends with the index an
 * uninterrupted run gives. Odd seeds kill on the k-th source request (mid-ingest); even seeds after
 * a random delay (anywhere, including mid-write).
 */
async function killSomewhere(command: 'sync' | 'rebuild', seed: number) {
  const sandbox = await startSandbox({ products: 300, seed: 100 + seed });
  const rng = new Rng(seed);
  const env = feederEnv(sandbox, tempDir(), { AKINON_PAGE_SIZE: '10', BATCH_SIZE: '10' });
  try {
    if (command === 'sync') {
      const rt = await openFeeder(env);
      await rebuild(rt.ctx);
      await rt.close();
      for (let i = 0; i < 120; i++) sandbox.catalog.randomMutation(rng);
      letTimePass(sandbox);
    }
    let child: ChildProcess | null = null;
    let served = 0;
    const killAt = rng.int(1, command === 'sync' ? 15 : 80);
    if (seed % 2 === 1) {
      sandbox.onRequest = () => {
        if (++served === killAt) child?.kill('SIGKILL');
      };
    }
    const result = await runCli([command], env, {
      onSpawn: (c) => {
        child = c;
        if (seed % 2 === 0) setTimeout(() => c.kill('SIGKILL'), rng.int(50, 1000)).unref();
      },
    });
    sandbox.onRequest = null;
    // Killed, or (when the kill came late) finished: either way a restart must converge.
    expect([0, null]).toContain(result.code);

    const rt = await openFeeder(env);
    try {
      if (command === 'sync') await sync(rt.ctx);
      else await rebuild(rt.ctx);
      const ref = await referenceDocs(sandbox);
      expect(await exportDocs(rt)).toEqual(ref.products);
      expect(await exportDocs(rt, 'categories')).toEqual(ref.categories);
    } finally {
      await rt.close();
    }
  } finally {
    await sandbox.stop();
  }
}

describe('SIGKILL and restart', () => {
  test.each([1, 2, 3, 4, 5, 6])('sync killed (seed %i) then restarted converges', (seed) => killSomewhere('sync', seed));
  test.each([1, 2, 3, 4])('rebuild killed (seed %i) then restarted converges', (seed) => killSomewhere('rebuild', seed));
});
