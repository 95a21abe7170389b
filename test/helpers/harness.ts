import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/platform/logger';
import { openRuntime, type Runtime } from '../../src/wiring/runtime';
import { Sandbox, type SandboxOptions } from '../../src/sandbox/server';
import { live, type IndexSearcher, type SinkDocument } from '../../src/sink/types';

export function tempDir(prefix = 'feeder-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new Sandbox({ products: 400, seed: 7, ...opts });
  await sandbox.start();
  return sandbox;
}

/** Environment of a feeder reading `sandbox`, with its state and index under `dir`. */
export function feederEnv(sandbox: Sandbox, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AKINON_URL: sandbox.url,
    AKINON_CHANNEL_ID: sandbox.channelId,
    AKINON_TOKEN: sandbox.token,
    AKINON_RATE_LIMIT: '0',
    AKINON_CONCURRENCY: '4',
    AKINON_RETRY_BASE_MS: '5',
    AKINON_RETRY_MAX_MS: '50',
    SYNC_LAG_SECONDS: '0',
    STATE_PATH: path.join(dir, 'state.db'),
    SQLITE_PATH: path.join(dir, 'index.db'),
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function openFeeder(env: Record<string, string>): Promise<Runtime> {
  const config = loadConfig(env);
  return openRuntime(config, createLogger(config.LOG_LEVEL));
}

/** The runtime's search seam (every engine sink has one). */
export function searcher(rt: Runtime): IndexSearcher {
  if (!rt.engine) throw new Error('this runtime was wired with a sink that cannot search');
  return rt.engine;
}

/** Every live document of a kind, in id order. */
export async function exportDocs(rt: Runtime, kind: 'products' | 'categories' = 'products'): Promise<SinkDocument[]> {
  const out: SinkDocument[] = [];
  for await (const page of rt.ctx.sink.scan(live(rt.ctx.sink, kind))) out.push(...page);
  return out;
}

/** What a fresh full rebuild of the sandbox's current catalog produces (own state and index). */
export async function referenceDocs(sandbox: Sandbox, extra: Record<string, string> = {}) {
  const dir = tempDir('feeder-ref-');
  const rt = await openFeeder(feederEnv(sandbox, dir, extra));
  try {
    const { rebuild } = await import('../../src/sync/rebuild');
    await rebuild(rt.ctx);
    return { products: await exportDocs(rt), categories: await exportDocs(rt, 'categories') };
  } finally {
    await rt.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Moves the sandbox clock past every edit made so far, so the next window includes them. */
export function letTimePass(sandbox: Sandbox, ms = 2000): void {
  sandbox.catalog.clock.advance(ms);
}

/** Starts a sandbox, runs `fn` with it, stops it. */
export async function withSandbox<T>(opts: SandboxOptions, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox(opts);
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.stop();
  }
}

/** Opens a feeder on `env`, runs `fn` with it, closes it. */
export async function withRuntime<T>(env: Record<string, string>, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openFeeder(env);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** A sandbox and a feeder reading it (with `extra` settings), both stopped afterwards. */
export async function withFeeder(opts: SandboxOptions, extra: Record<string, string>, fn: (sandbox: Sandbox, rt: Runtime) => Promise<void>): Promise<void> {
  await withSandbox(opts, (sandbox) => withRuntime(feederEnv(sandbox, tempDir(), extra), (rt) => fn(sandbox, rt)));
}
