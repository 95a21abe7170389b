/*
 * A real Meilisearch for tests: MEILI_BIN, else the engine binary the team keeps beside the project
 * (../shared/engines/meilisearch-1.50.0/meilisearch, built from the official source), started on a
 * free loopback port in a fresh data directory with a master key. The sink gets a scoped API key
 * minted through POST /keys (never the master key). With MEILI_URL (and MEILI_API_KEY) set, that
 * engine is used as it is, and the tests that kill or reconfigure the engine say they are skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { engineLifecycle, freePort, repoRoot } from './engine-process';

export const MEILI_VERSION = '1.50.0';

/** The Meilisearch binary: MEILI_BIN, else the team's build beside the repository. */
export function meiliBinary(): string {
  return process.env.MEILI_BIN ?? path.resolve(repoRoot(), '../shared/engines', `meilisearch-${MEILI_VERSION}`, 'meilisearch');
}

export interface MeiliNode {
  url: string;
  /** The scoped key the sink uses: index, document, settings, search and task rights, not the master key. */
  apiKey: string;
  /** The master key (tests that mint or inspect keys); null for an external engine. */
  masterKey: string | null;
  stop(): Promise<void>;
  /** Stops the process hard, keeping its data (fault tests); `restart()` brings it back. Absent for an external engine. */
  kill?(): Promise<void>;
  restart?(): Promise<void>;
}

/** `payloadLimitBytes`: the engine's own `--http-payload-size-limit` (the payload test). */
export async function startMeilisearch(opts: { payloadLimitBytes?: number; external?: boolean } = {}): Promise<MeiliNode> {
  if (process.env.MEILI_URL && opts.external !== false) {
    return { url: process.env.MEILI_URL, apiKey: process.env.MEILI_API_KEY ?? '', masterKey: null, stop: async () => undefined };
  }
  const binary = meiliBinary();
  if (!fs.existsSync(binary)) throw new Error(`no Meilisearch binary at ${binary} (MEILI_BIN, or the team's shared/engines folder beside the repository)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-meili-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const masterKey = `feeder-test-master-${port}-0123456789`;
  const args = [
    '--db-path',
    path.join(dir, 'data'),
    '--dump-dir',
    path.join(dir, 'dumps'),
    '--snapshot-dir',
    path.join(dir, 'snapshots'),
    '--http-addr',
    `127.0.0.1:${port}`,
    '--master-key',
    masterKey,
    '--no-analytics',
    '--env',
    'development',
    ...(opts.payloadLimitBytes ? ['--http-payload-size-limit', String(opts.payloadLimitBytes)] : []),
  ];
  let child: ChildProcess | null = null;
  let output = '';
  const launch = async () => {
    child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => (output = (output + b.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForHealth(url, child, () => output);
  };
  await launch();
  const apiKey = await mintKey(url, masterKey);
  return { url, apiKey, masterKey, ...engineLifecycle({ current: () => child, launch, dataDir: dir }) };
}

/** A key with the rights the sink needs, on every index; what a production deployment would mint. */
async function mintKey(url: string, masterKey: string): Promise<string> {
  const res = await fetch(`${url}/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      description: 'akinon-search-feeder tests',
      actions: ['search', 'documents.*', 'indexes.*', 'tasks.*', 'settings.*', 'stats.*'],
      indexes: ['*'],
      expiresAt: null,
    }),
  });
  if (!res.ok) throw new Error(`Meilisearch refused to mint a key: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Meilisearch exited with ${child.exitCode}:\n${output().slice(-4000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok && ((await res.json()) as { status?: string }).status === 'available') return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`Meilisearch not available after ${timeoutMs} ms:\n${output().slice(-4000)}`);
    await delay(50);
  }
}
