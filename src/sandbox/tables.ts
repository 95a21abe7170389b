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

/** Rows per resource, ascending by id, with ids handed out as a database sequence does. */
export class Tables {
  private readonly tables = new Map<ResourcePath, RawRecord[]>();
  private readonly nextIds = new Map<ResourcePath, number>();

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
    if (rows[i]?.id === nextId) rows[i] = row;
    else rows.splice(i, 0, row);
    this.nextIds.set(path, Math.max(this.nextIds.get(path) ?? 1, nextId + 1));
    return row;
  }

  /** Removes the row `id`; returns it, or undefined when there was none. */
  delete(path: ResourcePath, id: number): RawRecord | undefined {
    const rows = this.tables.get(path)!;
    const i = lowerBound(rows, id);
    return rows[i]?.id === id ? rows.splice(i, 1)[0] : undefined;
  }
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
