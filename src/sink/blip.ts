import { RetryableFailure, withRetry, type RetryPolicy } from '../platform/retry';

/**
 * How long a check or read of an engine waits out a blip (a node restarting, a moment of
 * unreachability) before failing: up to 8 retries, 250 ms doubling to 4 s with full jitter, about
 * 10 s in all. The checks before a run (the index's existence, its stamp and shape) ride it out the
 * way bulk writes ride out a 429; beyond it the run fails cleanly into the next tick.
 */
const BLIP: RetryPolicy = { maxRetries: 8, baseMs: 250, maxMs: 4000 };

/** Calls `fn`, again after a backoff while it fails in a way `transient` says is worth it; the last error is the engine client's own. */
export async function rideOutBlip<T>(fn: () => Promise<T>, transient: (err: unknown) => boolean): Promise<T> {
  try {
    return await withRetry(async () => {
      try {
        return await fn();
      } catch (err) {
        if (transient(err)) throw new RetryableFailure('engine unreachable', 'unreachable', undefined, { cause: err });
        throw err;
      }
    }, BLIP);
  } catch (err) {
    throw err instanceof RetryableFailure ? err.cause : err;
  }
}
