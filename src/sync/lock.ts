import { randomUUID } from 'node:crypto';
import type { RunContext } from './context';

/**
 * Runs `fn` holding the index's run lock, renewing it while the run lasts. A crashed holder's lock
 * is taken over once it expires (or at once when its process is gone from this host).
 */
export async function withRunLock<T>(ctx: RunContext, fn: () => Promise<T>): Promise<T> {
  const name = `run:${ctx.config.SINK}:${ctx.config.INDEX_NAME}`;
  const holder = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const ttl = ctx.config.LOCK_TTL_SECONDS * 1000;
  ctx.store.lock.acquire(name, holder, ttl);
  const timer = setInterval(
    () => {
      try {
        if (!ctx.store.lock.renew(name, holder, ttl)) ctx.log.error({ lock: name }, 'run lock was taken over by another process');
      } catch (err) {
        ctx.log.warn({ err }, 'could not renew the run lock');
      }
    },
    Math.max(500, ttl / 3),
  );
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    ctx.store.lock.release(name, holder);
  }
}
