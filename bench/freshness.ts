/*
 * Scenario 11: freshness. With `feeder serve` running on its defaults (sync schedule, overlap, no
 * lag, the source's default politeness), 100 price edits and 10 name edits are made one by one
 * over 60 s; each is timed from the edit until a search of the engine shows it. Also: the source
 * requests per minute while nothing changes.
 */
import Database from 'better-sqlite3';
import { Client } from '@elastic/elasticsearch';

export interface FreshnessFigures {
  edits: number;
  p50_s: number;
  p95_s: number;
  max_s: number;
}

export interface Edit {
  product: number;
  field: 'price' | 'name';
  value: number | string;
}

/** What a search of the live index shows of a product now (null: not found). */
export type Probe = (product: number) => Promise<Record<string, unknown> | null>;

const EDITS = 110;
const SPREAD_MS = 60_000;
const POLL_MS = 100;
const GIVE_UP_MS = 180_000;

/** Makes the edits (`edit(n, kind)`, every 11th a rename), spread evenly over 60 s, and times each until `probe` shows it. */
export async function measureFreshness(edit: (n: number, kind: 'price' | 'name') => Promise<Edit>, probe: Probe, offset: number): Promise<FreshnessFigures> {
  const latencies: number[] = [];
  const watches: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < EDITS; i++) {
    const due = started + (i * SPREAD_MS) / EDITS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const at = performance.now();
    const made = await edit(offset + i, i % 11 === 10 ? 'name' : 'price');
    watches.push(
      (async () => {
        for (;;) {
          const doc = await probe(made.product).catch(() => null);
          if (doc && doc[made.field] === made.value) {
            latencies.push((performance.now() - at) / 1000);
            return;
          }
          if (performance.now() - at > GIVE_UP_MS)
            throw new Error(`product ${made.product}: ${made.field} ${String(made.value)} not searchable after ${GIVE_UP_MS} ms`);
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      })(),
    );
  }
  await Promise.all(watches);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const round = (x: number) => Math.round(x * 100) / 100;
  return { edits: latencies.length, p50_s: round(at(0.5)), p95_s: round(at(0.95)), max_s: round(latencies[latencies.length - 1]) };
}

/** The embedded index, read as any SQLite reader would (its own read-only connection). */
export function sqliteProbe(file: string, table: string): { probe: Probe; close: () => void } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const get = db.prepare(`SELECT doc FROM "${table}" WHERE id = ?`);
  return {
    probe: async (product) => {
      const row = get.get(String(product)) as { doc: string } | undefined;
      return row ? (JSON.parse(row.doc) as Record<string, unknown>) : null;
    },
    close: () => db.close(),
  };
}

/** Elasticsearch, by search (what a storefront sees after a refresh), not by the real-time GET. */
export function elasticsearchProbe(url: string, index: string): { probe: Probe; close: () => Promise<void> } {
  const client = new Client({ node: url });
  return {
    probe: async (product) => {
      const res = await client.search<Record<string, unknown>>({ index, query: { ids: { values: [String(product)] } }, size: 1 });
      return res.hits.hits[0]?._source ?? null;
    },
    close: () => client.close(),
  };
}
