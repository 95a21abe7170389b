import { canonicalInstant } from '../source/instant';

/* The sandbox's tables: every resource as the vendor's API returns it, kept in id order. */

export type RawRecord = { id: number } & Record<string, unknown>;

export const RESOURCE_PATHS = [
  'products/products',
  'products/product-images',
  'catalogs/product-prices',
  'catalogs/category-nodes',
  'pretty-urls',
  'deleted-items',
  'content-types',
  /** Not a vendor resource: link rows for deployments that expose one (CATEGORY_LINK=endpoint). */
  'products/product-categories',
] as const;
export type ResourcePath = (typeof RESOURCE_PATHS)[number];

/** Content types as a real Omnitron lists them: ids are not 1..5, and unrelated models abound. */
const CONTENT_TYPES: RawRecord[] = [
  { id: 1, app_label: 'products', model: 'product' },
  { id: 2, app_label: 'menus', model: 'menuitemmodel' },
  { id: 3, app_label: 'cms', model: 'widget' },
  { id: 4, app_label: 'cms', model: 'seo' },
  { id: 5, app_label: 'cms', model: 'landingpage' },
  { id: 6, app_label: 'users', model: 'user' },
  { id: 7, app_label: 'promotions', model: 'loyaltycard' },
  { id: 8, app_label: 'admin', model: 'logentry' },
  { id: 9, app_label: 'auth', model: 'group' },
  { id: 10, app_label: 'auth', model: 'permission' },
  { id: 45, app_label: 'products', model: 'productimage' },
  { id: 61, app_label: 'prices', model: 'ProductPrice' },
  { id: 87, app_label: 'catalogs', model: 'categorynode' },
  { id: 112, app_label: 'urls', model: 'prettyurl' },
  { id: 138, app_label: 'baskets', model: 'basketitem' },
];
/** The content type ids of the models the sandbox deletes (tombstones name them). */
export const CT = { product: 1, image: 45, price: 61, node: 87, url: 112, basketitem: 138 };

/** A clock that tests can move forward instead of sleeping. */
export class SandboxClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Microsecond timestamp text as the vendor writes it: 2024-06-13T07:47:16.178157Z. */
  stamp(): string {
    const micros = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
    return `${this.now().toISOString().slice(0, 23)}${micros}Z`;
  }
}

/** A bound on `modified_date`, as the API's filters give it (a canonical instant). */
export interface ModifiedBound {
  cmp: 'gt' | 'gte' | 'lt' | 'lte' | 'exact';
  value: string;
}

/** One row in a resource's `modified_date` order: its canonical instant ('' when it has none), then its id. */
interface ModifiedEntry {
  at: string;
  id: number;
}

/**
 * Rows per resource, ascending by id, with ids handed out as a database sequence does. A resource's
 * rows are also kept in `modified_date` order once a window read asks for it (built then, kept up
 * to date by every change after), so a sync's window read costs what it returns, as with the API's
 * own database index, instead of a scan of the table.
 */
export class Tables {
  private readonly tables = new Map<ResourcePath, RawRecord[]>();
  private readonly nextIds = new Map<ResourcePath, number>();
  private readonly byModified = new Map<ResourcePath, ModifiedEntry[]>();

  constructor() {
    for (const p of RESOURCE_PATHS) this.tables.set(p, []);
    this.tables.set(
      'content-types',
      CONTENT_TYPES.map((c) => ({ ...c })),
    );
  }

  /** Rows of a resource, ascending by id. */
  rows(path: ResourcePath): readonly RawRecord[] {
    return this.tables.get(path)!;
  }

  get(path: ResourcePath, id: number): RawRecord | undefined {
    const rows = this.tables.get(path)!;
    const i = lowerBound(rows, id);
    return rows[i]?.id === id ? rows[i] : undefined;
  }

  /** The id the next insert gets: ids are never reused, as with a database sequence. */
  peekId(path: ResourcePath): number {
    const rows = this.tables.get(path)!;
    return this.nextIds.get(path) ?? (rows.length ? rows[rows.length - 1].id + 1 : 1);
  }

  /** Inserts a row with the next id (or `id`, replacing a row that has it). */
  insert(path: ResourcePath, record: Omit<RawRecord, 'id'>, id?: number): RawRecord {
    const rows = this.tables.get(path)!;
    const nextId = id ?? this.peekId(path);
    const row = { id: nextId, ...record } as RawRecord;
    const i = lowerBound(rows, nextId);
    if (rows[i]?.id === nextId) {
      this.unindex(path, rows[i]);
      rows[i] = row;
    } else rows.splice(i, 0, row);
    this.index(path, row);
    this.nextIds.set(path, Math.max(this.nextIds.get(path) ?? 1, nextId + 1));
    return row;
  }

  /** Changes a row in place (its holders see the change); returns it, or undefined when there is none. */
  update(path: ResourcePath, id: number, change: Record<string, unknown>): RawRecord | undefined {
    const row = this.get(path, id);
    if (!row) return undefined;
    this.unindex(path, row);
    Object.assign(row, change);
    this.index(path, row);
    return row;
  }

  /** Removes the row `id`; returns it, or undefined when there was none. */
  delete(path: ResourcePath, id: number): RawRecord | undefined {
    const rows = this.tables.get(path)!;
    const i = lowerBound(rows, id);
    if (rows[i]?.id !== id) return undefined;
    this.unindex(path, rows[i]);
    return rows.splice(i, 1)[0];
  }

  /** The rows whose `modified_date` meets every bound, in `modified_date` order. */
  modifiedWithin(path: ResourcePath, bounds: readonly ModifiedBound[]): RawRecord[] {
    const entries = this.modifiedOrder(path);
    // The first entry at or after (`at`, id 0), or after every entry at `at`.
    const seek = (at: string, past: boolean) => {
      let lo = 0;
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (entries[mid].at < at || (past && entries[mid].at === at)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let from = 0;
    let to = entries.length;
    for (const { cmp, value } of bounds) {
      if (cmp === 'gt' || cmp === 'gte' || cmp === 'exact') from = Math.max(from, seek(value, cmp === 'gt'));
      if (cmp === 'lt' || cmp === 'lte' || cmp === 'exact') to = Math.min(to, seek(value, cmp !== 'lt'));
    }
    const out: RawRecord[] = [];
    for (let i = from; i < to; i++) out.push(this.get(path, entries[i].id)!);
    return out;
  }

  private modifiedOrder(path: ResourcePath): ModifiedEntry[] {
    let entries = this.byModified.get(path);
    if (!entries) {
      entries = this.tables
        .get(path)!
        .map(entryOf)
        .sort((a, b) => compareEntries(a, b));
      this.byModified.set(path, entries);
    }
    return entries;
  }

  private index(path: ResourcePath, row: RawRecord): void {
    const entries = this.byModified.get(path);
    if (!entries) return;
    const entry = entryOf(row);
    entries.splice(entryPosition(entries, entry), 0, entry);
  }

  private unindex(path: ResourcePath, row: RawRecord): void {
    const entries = this.byModified.get(path);
    if (!entries) return;
    const entry = entryOf(row);
    const i = entryPosition(entries, entry);
    if (entries[i]?.id === entry.id && entries[i].at === entry.at) entries.splice(i, 1);
    else throw new Error(`sandbox: ${path} ${row.id} changed its modified_date behind the table's back`);
  }
}

function entryOf(row: RawRecord): ModifiedEntry {
  return { at: canonicalInstant(String(row.modified_date)) ?? '', id: row.id };
}

function compareEntries(a: ModifiedEntry, b: ModifiedEntry): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id;
}

/** Where `entry` is, or would go, in `entries`. */
function entryPosition(entries: readonly ModifiedEntry[], entry: ModifiedEntry): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(entries[mid], entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first row with id >= `id` in an id-sorted array. */
export function lowerBound(rows: readonly RawRecord[], id: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
