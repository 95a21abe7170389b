import { spawn } from 'node:child_process';
import path from 'node:path';
import { CLI, eventually, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/harness';
import type { SearchResult } from '../../src/sink/types';

test('`feeder serve` with no AKINON_URL builds the index from the built-in sandbox, syncs on schedule, serves /healthz, stops on SIGTERM', async () => {
  const dir = tempDir();
  const env = {
    STATE_PATH: path.join(dir, 'state.db'),
    SQLITE_PATH: path.join(dir, 'index.db'),
    SANDBOX_PRODUCTS: '300',
    SYNC_CRON: '* * * * * *',
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const url = await eventually(async () => /"url":"(http:[^"]+)"/.exec(stderr)?.[1]);
    expect(stderr).toContain('AKINON_URL is not set: using the built-in sandbox');
    const health = await eventually(async () => {
      const res = await fetch(`${url}/healthz`);
      const body = (await res.json()) as { ok: boolean; lastRun: { kind: string } | null };
      return res.status === 200 && body.lastRun?.kind === 'sync' ? body : undefined;
    });
    expect(health.ok).toBe(true);

    const found = await runCli(['search', 'AKN-000001', '--json'], env);
    expect((JSON.parse(found.stdout) as SearchResult).hits[0].id).toBe('1');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
});
