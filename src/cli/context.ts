import { loadConfig, redactedConfig } from '../config/load';
import type { Config } from '../config/schema';
import { UsageError } from '../errors';
import { createLogger } from '../platform/logger';
import { StateStore } from '../state/store';
import { openRuntime, openStateStore, type Runtime } from '../wiring/runtime';

/* What every command shares: opening what it needs, and parsing its numbers. */

/** Commands that only read or tidy the state store need neither the source nor the sink. */
export async function withStore<T>(fn: (store: StateStore, config: Config) => T | Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = openStateStore(config);
  try {
    return await fn(store, config);
  } finally {
    store.close();
  }
}

/** Commands that run: the whole runtime (source, state store, sink), closed afterwards. */
export async function withRuntime<T>(fn: (rt: Runtime, config: Config) => Promise<T>, opts: { shutdown?: AbortSignal } = {}): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  log.debug({ config: redactedConfig(config) }, 'configuration');
  const rt = await openRuntime(config, log, opts);
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

/** A number given on the command line, or a usage error naming where it came from. */
export function parseNumber(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name}: expected a number (got "${text}")`);
  return n;
}

/** A commander option parser for a number. */
export function number(name: string): (text: string) => number {
  return (text) => parseNumber(name, text);
}

/** A commander option parser for a whole number within [min, max]. */
export function integer(name: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = parseNumber(name, text);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name}: expected a whole number from ${min} to ${max} (got "${text}")`);
    return n;
  };
}

/** A commander option parser for a number within [min, max]. */
export function between(name: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = parseNumber(name, text);
    if (n < min || n > max) throw new UsageError(`${name}: expected a number from ${min} to ${max} (got "${text}")`);
    return n;
  };
}

export function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGTERM', on('SIGTERM'));
    process.once('SIGINT', on('SIGINT'));
  });
}
