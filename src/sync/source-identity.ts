import { ConfigError, ShapeChangedError, withoutUserinfo } from '../errors';
import { BUILTIN_FINGERPRINT } from '../profile/load';
import { exists, live, type IndexWriter } from '../sink/types';
import { liveGen, markStampsScrubbed, setStoredSource, stampsScrubbed, storedSource } from '../state/run-state';
import type { RunContext } from './context';

/**
 * The source the state store remembers, or null before the first run (which adopts the configured
 * one). A store written before identities dropped `user:password@` is rewritten without it here.
 */
export function knownSource(ctx: RunContext): string | null {
  const stored = storedSource(ctx.store);
  if (stored === null) return null;
  const clean = withoutUserinfo(stored);
  if (clean !== stored) setStoredSource(ctx.store, clean);
  return clean;
}

/**
 * Refuses to run against a catalog other than the one the state store and its index were built
 * from: one missing or mistyped variable must not mix two catalogs in a live index. Only an explicit
 * `feeder rebuild` switches sources. A store records its source once it holds something from it (a
 * rebuild's plan, a run's watermarks): a first run that could not reach its source records nothing.
 */
export function assertSameSource(ctx: RunContext): void {
  const known = knownSource(ctx);
  if (known !== null && known !== ctx.sourceId) {
    throw new ConfigError(
      'AKINON_URL',
      `the state at STATE_PATH and its index were built from ${known}, not from ${ctx.sourceId}; run \`feeder rebuild\` to rebuild them from the configured source, or point STATE_PATH at that source's state`,
    );
  }
}

/**
 * A state store that does not know the live index (new, or lost) must not build over an index that
 * another source built: the index remembers its source too. Only an explicit `feeder rebuild` replaces it.
 */
export async function assertIndexSource(ctx: RunContext): Promise<void> {
  // Once per state store (a one-time migration), not per run: a `feeder sync` from cron is a process per run.
  if (!scrubbed.has(ctx.sink) && !stampsScrubbed(ctx.store)) {
    await scrubStamps(ctx.sink);
    markStampsScrubbed(ctx.store);
  }
  scrubbed.add(ctx.sink);
  if (liveGen(ctx.store) !== null || !(await exists(ctx.sink, 'products'))) return;
  const origin = (await ctx.sink.stamp('products'))?.source ?? null;
  if (origin !== null && origin !== ctx.sourceId) {
    throw new ConfigError(
      'AKINON_URL',
      `the index ${live(ctx.sink, 'products').name} was built from ${origin}, not from ${ctx.sourceId}; run \`feeder rebuild\` to replace it with the configured source`,
    );
  }
}

/** Meta key: the index stamps were checked for AKINON_URL credentials (written by versions before identities dropped them). */

/** Sinks whose stamps this process has scrubbed of secrets. */
const scrubbed = new WeakSet<IndexWriter>();

/**
 * An index stamped before identities dropped `user:password@` kept AKINON_URL's credentials, where
 * anyone who can read the index (Meilisearch's default search key included) could read them. Its
 * stamps are rewritten without them (by the first run of each process).
 */
export async function scrubStamps(sink: IndexWriter): Promise<void> {
  for (const kind of ['products', 'categories'] as const) {
    const stamp = await sink.stamp(kind);
    if (stamp && withoutUserinfo(stamp.source) !== stamp.source) await sink.restamp(kind, { ...stamp, source: withoutUserinfo(stamp.source) });
  }
}

/**
 * Whether the live index was built with another search profile or transform than the configured
 * ones, said in one line; null when it was not (or there is no index yet). An index built before
 * profiles existed was built with the built-in profile.
 */
export async function shapeChange(ctx: RunContext): Promise<string | null> {
  const built = await liveShape(ctx.sink);
  if (built === null || built === ctx.shape.fingerprint) return null;
  return `the search profile changed: the index ${live(ctx.sink, 'products').name} was built with shape ${built}, SEARCH_PROFILE and TRANSFORM_MODULE now give ${ctx.shape.fingerprint}`;
}

/**
 * The shape fingerprint the live index was built with: its stamp's; the built-in profile's for an
 * index from before stamps or profiles; null when there is no index.
 */
export async function liveShape(sink: IndexWriter): Promise<string | null> {
  const stamp = await sink.stamp('products');
  if (stamp === null && !(await exists(sink, 'products'))) return null;
  return stamp?.profile ?? BUILTIN_FINGERPRINT;
}

/** A sync never writes documents of a new shape into an index of the old one. */
export async function assertSameShape(ctx: RunContext): Promise<void> {
  const change = await shapeChange(ctx);
  if (change) throw new ShapeChangedError(change);
}
