import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const CLI = path.resolve(__dirname, '../../dist/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `feeder` CLI (npm test builds dist/ first) with exactly this environment. */
export function runCli(args: string[], env: Record<string, string>, opts: { onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.(child);
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `feeder serve` (PORT=0) and resolves once it listens (its log line says where). */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const level = !env.LOG_LEVEL || env.LOG_LEVEL === 'silent' ? 'info' : env.LOG_LEVEL;
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env, LOG_LEVEL: level },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await eventually(
    async () => /"url":"(http:[^"]+)"/.exec(out)?.[1],
    60_000,
    () => out,
  );
  return { child, url, output: () => out, exited };
}

/** How often `eventually` checks again: often enough to be prompt, rarely enough not to busy-spin. */
const POLL_MS = 25;

/**
 * Polls `check` every POLL_MS until it returns a value, or fails after `timeoutMs` with `context`.
 * It waits for a condition, never for a fixed time.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms\n${context().slice(-3000)}`);
    await delay(POLL_MS);
  }
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}
