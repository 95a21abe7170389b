/*
 * Runs that fail before they begin (their checks of the index: its existence, its stamp, its shape)
 * are failures like any other: logged once with their code and reason, recorded in the run history,
 * and shown by /healthz and `status`. A real Meilisearch, stopped hard after the first build.
 */
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/platform/logger';
import { openRuntime, type Runtime } from '../../src/wiring/runtime';
import { Service } from '../../src/service/serve';
import { healthReport } from '../../src/service/health';
import { startMeilisearch, type MeiliNode } from '../support/meilisearch';
import { feederEnv, startSandbox, tempDir } from '../helpers/harness';
import { eventually, getJson } from '../helpers/cli';
import type { Sandbox } from '../../src/sandbox/server';
import { testUnless } from '../helpers/skip';
import { describeWithEngine } from '../helpers/skip';

describeWithEngine('meilisearch', 'run failures on a real Meilisearch', () => {
  let meili: MeiliNode;
  let sandbox: Sandbox;
  let rt: Runtime;
  let service: Service;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    meili = await startMeilisearch();
    sandbox = await startSandbox({ products: 60, seed: 23 });
    const config = loadConfig(
      feederEnv(sandbox, tempDir(), {
        SINK: 'meilisearch',
        MEILI_URL: meili.url,
        MEILI_API_KEY: meili.apiKey,
        INDEX_NAME: 'failing',
        PORT: '0',
        LOG_LEVEL: 'info',
      }),
    );
    const out = new PassThrough();
    out.on('data', (b: Buffer) =>
      lines.push(
        ...b
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      ),
    );
    rt = await openRuntime(config, createLogger('info', { pretty: false, to: out }));
    service = new Service(rt);
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
    await rt?.close();
    await sandbox?.stop();
    await meili?.restart?.().catch(() => undefined);
    await meili?.stop();
  });

  testUnless(process.env.MEILI_URL ? 'stops the engine: needs one this suite starts (unset MEILI_URL)' : null)(
    'with the engine gone, a requested sync that fails at its first check is logged once with its code, recorded, and shown by /healthz',
    async () => {
      const url = await service.start();
      await eventually(async () => (rt.ctx.store.runs.lastFinished()?.outcome === 'succeeded' ? true : undefined), 120_000);
      expect((await getJson(`${url}/healthz`)).body).toMatchObject({ ok: true, lastRun: { kind: 'rebuild', outcome: 'succeeded' } });

      await meili.kill!();
      const runsBefore = rt.ctx.store.runs.recent(100).length;
      const errorsBefore = lines.filter((l) => l.level === 50).length;
      const { started, done } = service.trigger('sync', 'request');
      expect(started).toBe(true);
      expect(await done).toBeNull();

      // The fault happened where the issue saw it: before the run began (no run had started a row).
      const runs = rt.ctx.store.runs.recent(100);
      expect(runs.length).toBe(runsBefore + 1);
      expect(runs[0]).toMatchObject({ kind: 'sync', outcome: 'failed' });
      expect(runs[0].error).toMatch(/Meilisearch could not .*\[FEEDER_ERR_SINK\]/);
      const errors = lines.filter((l) => l.level === 50).slice(errorsBefore);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ msg: 'sync failed', code: 'FEEDER_ERR_SINK' });
      expect(JSON.stringify(errors)).not.toContain(meili.apiKey || '\u0000never');

      const health = (await getJson<{ lastRun: { kind: string; outcome: string; error: string } }>(`${url}/healthz`)).body;
      expect(health.lastRun).toMatchObject({ kind: 'sync', outcome: 'failed' });
      expect(healthReport(rt.ctx.store, rt.ctx.config).lastRun?.error).toContain('FEEDER_ERR_SINK');
    },
    300_000,
  );
});
