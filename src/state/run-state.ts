import { z } from 'zod';
import { ConfigError, FeederError } from '../errors';
import type { StateStore } from './store';

/*
 * The run state the state store keeps beside the rows: which index is live, the rebuild under way,
 * the last refused rebuild, the source the store was built from, how category links were read, and
 * whether old index stamps were scrubbed. One zod schema per record, read and written only through
 * the named functions below; a record is checked when it is read (pgsync checks its checkpoint the
 * same way). A record this version cannot read fails with one line naming STATE_PATH (exit 2)
 * instead of a run going on with a half-understood checkpoint.
 */

/**
 * An id as the source sent it: any number at or above zero. The checkpoint stores what was read,
 * an absurd one included (2^53 sends a keyset cursor past the catalog; the shrink guard refuses
 * what follows, and the checkpoint must still say where the crawl stood).
 */
const sourceId = z.number().nonnegative();

/** A rebuild's checkpoint: what it created, how far each stage got. */
const rebuildPlanSchema = z.object({
  gen: z.number().int().nonnegative(),
  /** Catch-up reads every row modified since this instant (the source clock at start, minus the lag and the overlap). */
  since: z.string().min(1),
  /** Tombstones after this id are applied by the catch-up. */
  deletedAfter: sourceId,
  products: z.string().min(1),
  categories: z.string().min(1),
  /** Per resource: last id crawled, or 'done'. */
  crawled: z.record(z.string(), z.union([sourceId, z.literal('done')])),
  /** Per resource: rows the server counts (at the first page of the latest crawl pass, plus those met before it). */
  expected: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** Last product id written into the new index. */
  builtAfter: sourceId,
  categoriesBuilt: z.boolean(),
  linkMode: z.string().min(1),
});

export type RebuildPlan = z.infer<typeof rebuildPlanSchema>;

const refusalSchema = z.object({ at: z.string().min(1), reason: z.string() });
export type RebuildRefusal = z.infer<typeof refusalSchema>;

/** Every record: its key in the `meta` table, its schema, and what it is called in an error. */
const RECORDS = {
  liveGen: { key: 'live_gen', schema: z.number().int().nonnegative(), name: 'live index generation' },
  rebuildPlan: { key: 'rebuild', schema: rebuildPlanSchema, name: 'rebuild checkpoint' },
  refusal: { key: 'rebuild_refused', schema: refusalSchema, name: 'refused rebuild' },
  source: { key: 'source', schema: z.string().min(1), name: 'source identity' },
  linkMode: { key: 'link_mode', schema: z.string().min(1), name: 'category link mode' },
  stampsScrubbed: { key: 'stamps_scrubbed', schema: z.boolean(), name: 'stamp scrub marker' },
} as const;

type Records = typeof RECORDS;
type Name = keyof Records;
type Value<N extends Name> = z.infer<Records[N]['schema']>;

function read<N extends Name>(store: StateStore, name: N): Value<N> | null {
  const record = RECORDS[name];
  const raw = store.records.get(record.key);
  if (raw === null) return null;
  const parsed = record.schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      'STATE_PATH',
      `the state store's ${record.name} cannot be read by this version (${describe(parsed.error)}); restore the store, or move it aside and rebuild`,
    );
  }
  return parsed.data as Value<N>;
}

function write<N extends Name>(store: StateStore, name: N, value: Value<N> | null): void {
  const record = RECORDS[name];
  if (value === null) return store.records.set(record.key, null);
  // What is written is what a reader accepts: a bad value fails here, where it is made.
  const parsed = record.schema.safeParse(value);
  if (!parsed.success) throw new FeederError('FEEDER_ERR_STATE', `the ${record.name} to be stored is invalid (${describe(parsed.error)})`);
  store.records.set(record.key, parsed.data);
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.message}${issue.path.length ? ` at ${issue.path.join('.')}` : ''}`;
}

/** The generation of the live index, or null before the first rebuild swapped one in. */
export const liveGen = (store: StateStore): number | null => read(store, 'liveGen');
export const setLiveGen = (store: StateStore, gen: number): void => write(store, 'liveGen', gen);

/** The checkpoint of a rebuild under way (or interrupted), or null. */
export const rebuildPlan = (store: StateStore): RebuildPlan | null => read(store, 'rebuildPlan');
export const saveRebuildPlan = (store: StateStore, plan: RebuildPlan | null): void => write(store, 'rebuildPlan', plan);

/** The last rebuild refused for shrinking the index; cleared by a rebuild that swaps. */
export const refusedRebuild = (store: StateStore): RebuildRefusal | null => read(store, 'refusal');
export const setRefusedRebuild = (store: StateStore, refusal: RebuildRefusal | null): void => write(store, 'refusal', refusal);

/** Which catalog (URL and channel, or the sandbox; never credentials) the store and its index were built from. */
export const storedSource = (store: StateStore): string | null => read(store, 'source');
export const setStoredSource = (store: StateStore, source: string | null): void => write(store, 'source', source);

/** How the stored category links were read (CATEGORY_LINK): links read another way are dropped. */
export const linkMode = (store: StateStore): string | null => read(store, 'linkMode');
export const setLinkMode = (store: StateStore, mode: string): void => write(store, 'linkMode', mode);

/** Whether the index stamps of earlier versions were rewritten without credentials. */
export const stampsScrubbed = (store: StateStore): boolean => read(store, 'stampsScrubbed') === true;
export const markStampsScrubbed = (store: StateStore): void => write(store, 'stampsScrubbed', true);

/**
 * The generations every state change must reach: the live index's and, while a rebuild is under
 * way, the one it fills. Derived from the live pointer and the rebuild plan, never stored apart.
 */
export function openGenerations(store: StateStore): number[] {
  const gens = [liveGen(store), rebuildPlan(store)?.gen];
  return gens.filter((g): g is number => typeof g === 'number');
}
