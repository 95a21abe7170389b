import path from 'node:path';
import { eventually, getJson, runCli, startServe } from '../helpers/cli';
import { tempDir } from '../helpers/harness';
import type { SearchResult } from '../../src/sink/types';

test('`feeder serve` with no AKINON_URL builds the index from the built-in sandbox, syncs on schedule, serves /healthz, stops on SIGTERM', async () => {
  const dir = tempDir();
  const env = {
    STATE_PATH: path.join(dir, 'state.db'),
    SQLITE_PATH: path.join(dir, 'index.db'),
    SANDBOX_PRODUCTS: '300',
    SYNC_CRON: '* * * * * *',
    LOG_LEVEL: 'info',
  };
  const serve = await startServe(env);
  try {
    expect(serve.output()).toContain('AKINON_URL is not set: using the built-in sandbox');
    const health = await eventually(async () => {
      const { status, body } = await getJson<{ ok: boolean; lastRun: { kind: string } | null }>(`${serve.url}/healthz`);
      return status === 200 && body.lastRun?.kind === 'sync' ? body : undefined;
    });
    expect(health.ok).toBe(true);

    const found = await runCli(['search', 'AKN-000001', '--json'], env);
    expect((JSON.parse(found.stdout) as SearchResult).hits[0].id).toBe('1');

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  } finally {
    serve.child.kill('SIGKILL');
  }
});
