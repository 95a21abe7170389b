import { openGenerations } from './run-state';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openWalDatabase } from '../platform/sqlite';
import { canonicalInstant } from '../source/instant';
import type { ResourceName } from '../source/resources';
import type { CategoryNode, ContentType, PrettyUrl, Product, ProductImage, ProductPrice } from '../source/schemas';
import type { InvalidRecord } from '../source/source';
import { LockBusyError } from '../errors';
import { processAlive, processStart } from '../platform/process';
import { schemaSql, TABLES } from './tables';

export type DocKind = 'product' | 'category';

export interface StoredRow {
  id: number;
  modified_date: string;
  [key: string]: unknown;
}

export interface RunRecord {
  id: number;
  kind: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  summary: Record<string, unknown> | null;
  error: string | null;
}

export interface QuarantineRecord {
  resource: string;
  record_key: string;
  reason: string;
  raw: unknown;
  first_seen: string;
  last_seen: string;
  attempts: number;
}

const nowIso = () => new Date().toISOString();

/**
 * Per resource, the one "newer wins" write: insert, or replace a version no newer (an older version
 * changes nothing: 0 changes). `seen` 0 (not a crawl) keeps the crawl mark the row had.
 */
const UPSERT = Object.fromEntries(
  Object.entries(TABLES).map(([resource, spec]) => {
    const cols = spec.joins.map((j) => j.column);
    return [
      resource,
      `INSERT INTO ${spec.table} (id, modified, seen, data${cols.map((c) => `, ${c}`).join('')}) VALUES (?, ?, ?, ?${cols.map(() => ', ?').join('')})
       ON CONFLICT (id) DO UPDATE SET seen = CASE excluded.seen WHEN 0 THEN ${spec.table}.seen ELSE excluded.seen END,
         ${['modified', 'data', ...cols].map((c) => `${c} = excluded.${c}`).join(', ')}
       WHERE excluded.modified >= ${spec.table}.modified`,
    ];
  }),
) as Record<ResourceName, string>;

/** Runs the history keeps (about a day of syncs every 10 s). */
export const RUN_HISTORY = 10_000;

/**
 * The embedded state store (docs/CONTRACT.md §4): raw rows per resource, cursors (watermarks), the
 * content hash of every document written per index generation, the pending set of documents to
 * rewrite, run history, quarantine and the run lock. All methods are synchronous (better-sqlite3);
 * `tx()` groups them into one transaction.
 */
export class StateStore {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(file: string, opts: { maxBytes?: number } = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = openWalDatabase(file);
    this.db.pragma('synchronous = NORMAL');
    // 64 MB of page cache (default 2 MB) for the build's join reads over a large store; no wall-time
    // change was measurable on its own (docs/PERFORMANCE.md), and it bounds the store's memory.
    this.db.pragma('cache_size = -65536');
    this.db.exec(schemaSql());
    this.migrate();
    if (opts.maxBytes) {
      const pageSize = this.db.pragma('page_size', { simple: true }) as number;
      this.db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxBytes / pageSize))}`);
    }
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores written before pending documents were kept per generation: their pending set belonged
   * to the live index (and to an interrupted rebuild's, if one was under way): the run state's open
   * generations.
   */
  private migrate(): void {
    // Stores from before locks named their holder's start time (see platform/process.ts).
    const lockCols = (this.db.prepare('PRAGMA table_info(locks)').all() as { name: string }[]).map((c) => c.name);
    if (!lockCols.includes('started')) this.db.exec('ALTER TABLE locks ADD COLUMN started TEXT');
    const cols = (this.db.prepare('PRAGMA table_info(pending)').all() as { name: string }[]).map((c) => c.name);
    if (cols.includes('gen')) return;
    this.tx(() => {
      const gens = openGenerations(this);
      this.db.exec('ALTER TABLE pending RENAME TO pending_v1');
      this.db.exec(schemaSql());
      for (const gen of gens) this.db.prepare('INSERT OR IGNORE INTO pending (gen, kind, id) SELECT ?, kind, id FROM pending_v1').run(gen);
      this.db.exec('DROP TABLE pending_v1');
    });
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  // --- raw rows ---------------------------------------------------------------------------------

  /**
   * Stores a row unless the store already holds a newer version of it (a stale read from a lagging
   * replica must not win). Returns the previous row (null if new) and whether this one was applied.
   */
  upsertRow(resource: ResourceName, row: StoredRow, seen = 0): { old: StoredRow | null; applied: boolean } {
    const data = JSON.stringify(row);
    const prev = this.stmt(`SELECT data FROM ${TABLES[resource].table} WHERE id = ?`).get(row.id) as { data: string } | undefined;
    // A row read again as it is stored (a sync's overlap re-reads the last seconds) changes nothing.
    if (prev?.data === data) {
      this.markSeen(resource, row.id, seen);
      return { old: null, applied: false };
    }
    return { old: prev ? (JSON.parse(prev.data) as StoredRow) : null, applied: this.upsert(resource, row, seen, data) };
  }

  /**
   * The crawl's path: the same upsert without reading the previous row (a first crawl needs no
   * affected set). Returns whether this version was applied.
   */
  upsertRowBlind(resource: ResourceName, row: StoredRow, seen: number): boolean {
    return this.upsert(resource, row, seen);
  }

  /**
   * The crawl's path while a live index exists: returns what the live documents must hear of. A row
   * stored unchanged (or older than the stored one) returns `changed: false` and is only marked
   * seen; a new or different one returns its previous version (null when new).
   */
  upsertRowTracked(resource: ResourceName, row: StoredRow, seen: number): { changed: boolean; old: StoredRow | null } {
    const data = JSON.stringify(row);
    const prev = this.stmt(`SELECT data FROM ${TABLES[resource].table} WHERE id = ?`).get(row.id) as { data: string } | undefined;
    if (prev?.data === data) {
      this.markSeen(resource, row.id, seen);
      return { changed: false, old: null };
    }
    if (!this.upsert(resource, row, seen, data)) return { changed: false, old: null };
    return { changed: true, old: prev ? (JSON.parse(prev.data) as StoredRow) : null };
  }

  /** The one "newer wins" write (UPSERT). A version not applied is still marked as seen by a crawl. */
  private upsert(resource: ResourceName, row: StoredRow, seen: number, data = JSON.stringify(row)): boolean {
    const args: unknown[] = [row.id, canonicalInstant(row.modified_date) ?? '', seen, data];
    for (const j of TABLES[resource].joins) args.push(j.of(row));
    if (this.stmt(UPSERT[resource]).run(args).changes > 0) return true;
    this.markSeen(resource, row.id, seen);
    return false;
  }

  /** Marks a row as met by crawl `seen` (a row whose new version was refused keeps its last good one). */
  markSeen(resource: ResourceName, id: number, seen: number): void {
    if (seen) this.stmt(`UPDATE ${TABLES[resource].table} SET seen = ? WHERE id = ?`).run(seen, id);
  }

  /**
   * Removes a row for a tombstone dated `deletedAt`, unless the stored row is newer than the
   * tombstone (the id was re-created after the delete). Returns the removed row.
   */
  deleteRow(resource: ResourceName, id: number, deletedAt?: string): StoredRow | null {
    const spec = TABLES[resource];
    const prev = this.stmt(`SELECT modified, data FROM ${spec.table} WHERE id = ?`).get(id) as { modified: string; data: string } | undefined;
    if (!prev) return null;
    const at = deletedAt ? canonicalInstant(deletedAt) : null;
    if (at && prev.modified > at) return null;
    this.stmt(`DELETE FROM ${spec.table} WHERE id = ?`).run(id);
    return JSON.parse(prev.data) as StoredRow;
  }

  /**
   * Rows a full crawl `seen` did not meet and that were not modified since it began (`before`):
   * deleted at the source. Removed; the removed rows are returned. Rows modified after the crawl
   * began are left to the catch-up pass and its tombstones.
   */
  sweepUnseen(resource: ResourceName, seen: number, before: string): StoredRow[] {
    const table = TABLES[resource].table;
    const rows = (this.stmt(`SELECT data FROM ${table} WHERE seen != ? AND modified < ?`).all(seen, before) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as StoredRow,
    );
    this.stmt(`DELETE FROM ${table} WHERE seen != ? AND modified < ?`).run(seen, before);
    return rows;
  }

  /** How many rows `sweepUnseen` would remove now. */
  countUnseen(resource: ResourceName, seen: number, before: string): number {
    return (this.stmt(`SELECT count(*) AS n FROM ${TABLES[resource].table} WHERE seen != ? AND modified < ?`).get(seen, before) as { n: number }).n;
  }

  getRow<T = StoredRow>(resource: ResourceName, id: number): T | null {
    const r = this.stmt(`SELECT data FROM ${TABLES[resource].table} WHERE id = ?`).get(id) as { data: string } | undefined;
    return r ? (JSON.parse(r.data) as T) : null;
  }

  rowsWhere<T>(resource: ResourceName, column: string, values: readonly (number | string)[]): T[] {
    if (values.length === 0) return [];
    const table = TABLES[resource].table;
    return (
      this.stmt(`SELECT data FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(values)) as {
        data: string;
      }[]
    ).map((r) => JSON.parse(r.data) as T);
  }

  idsWhere(resource: ResourceName, column: string, values: readonly (number | string)[]): number[] {
    if (values.length === 0) return [];
    const table = TABLES[resource].table;
    return (this.stmt(`SELECT id FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`).all(JSON.stringify(values)) as { id: number }[]).map(
      (r) => r.id,
    );
  }

  allRows<T>(resource: ResourceName): T[] {
    return (this.stmt(`SELECT data FROM ${TABLES[resource].table} ORDER BY id`).all() as { data: string }[]).map((r) => JSON.parse(r.data) as T);
  }

  /** Rows the crawl `seen` met (stored or already newer). */
  countSeen(resource: ResourceName, seen: number): number {
    return (this.stmt(`SELECT count(*) AS n FROM ${TABLES[resource].table} WHERE seen = ?`).get(seen) as { n: number }).n;
  }

  countRows(resource: ResourceName): number {
    return (this.stmt(`SELECT count(*) AS n FROM ${TABLES[resource].table}`).get() as { n: number }).n;
  }

  /** The distinct origins (`https://cdn.example.com`) of up to `sample` staged image URLs. */
  imageOrigins(sample = 200): string[] {
    const rows = this.stmt("SELECT json_extract(data, '$.image') AS url FROM product_images LIMIT ?").all(sample) as { url: unknown }[];
    const origins = new Set<string>();
    for (const { url } of rows) {
      if (typeof url !== 'string' || !URL.canParse(url)) continue;
      const u = new URL(url);
      if (u.protocol === 'https:' || u.protocol === 'http:') origins.add(u.origin);
    }
    return [...origins];
  }

  /** Product ids in ascending order after `afterId`, a page at a time (rebuild streams these). */
  productIdsAfter(afterId: number, limit: number): number[] {
    return (this.stmt('SELECT id FROM products WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as { id: number }[]).map((r) => r.id);
  }

  // --- joins for the builder --------------------------------------------------------------------

  products(ids: readonly number[]): Product[] {
    return this.rowsWhere<Product>('products', 'id', ids);
  }
  variantsOf(parentIds: readonly number[]): Product[] {
    return this.rowsWhere<Product>('products', 'parent', parentIds);
  }
  pricesOf(productIds: readonly number[]): ProductPrice[] {
    return this.rowsWhere<ProductPrice>('product_prices', 'product', productIds);
  }
  imagesOf(productIds: readonly number[]): ProductImage[] {
    return this.rowsWhere<ProductImage>('product_images', 'product', productIds);
  }
  prettyUrls(ids: readonly number[]): PrettyUrl[] {
    return this.rowsWhere<PrettyUrl>('pretty_urls', 'id', ids);
  }
  urlTranslations(parentIds: readonly number[]): PrettyUrl[] {
    return this.rowsWhere<PrettyUrl>('pretty_urls', 'parent', parentIds);
  }
  categoryNodes(): CategoryNode[] {
    return this.allRows<CategoryNode>('category_nodes');
  }
  /** Pretty URLs that category nodes point to, and their translations. */
  categoryUrls(): PrettyUrl[] {
    return (
      this.stmt(
        `SELECT data FROM pretty_urls WHERE id IN (SELECT pretty_url FROM category_nodes WHERE pretty_url IS NOT NULL)
           OR parent IN (SELECT pretty_url FROM category_nodes WHERE pretty_url IS NOT NULL) ORDER BY id`,
      ).all() as { data: string }[]
    ).map((r) => JSON.parse(r.data) as PrettyUrl);
  }

  // --- product -> category links ------------------------------------------------------------------

  /** Replaces the links contributed by one source (a product's attribute, or one link row). */
  setLinks(sourceId: number, product: number, categories: readonly number[]): void {
    this.stmt('DELETE FROM product_categories WHERE source_id = ?').run(sourceId);
    const ins = this.stmt('INSERT OR IGNORE INTO product_categories (source_id, product, category) VALUES (?, ?, ?)');
    for (const c of categories) ins.run(sourceId, product, c);
  }
  /** Forgets every link (the link source changed: CATEGORY_LINK switched between attribute and endpoint). */
  clearAllLinks(): void {
    this.stmt('DELETE FROM product_categories').run();
  }
  clearLinks(sourceId: number): void {
    this.stmt('DELETE FROM product_categories WHERE source_id = ?').run(sourceId);
  }
  linksOf(productIds: readonly number[]): Map<number, number[]> {
    const out = new Map<number, number[]>();
    if (productIds.length === 0) return out;
    const rows = this.stmt('SELECT product, category FROM product_categories WHERE product IN (SELECT value FROM json_each(?)) ORDER BY category').all(
      JSON.stringify(productIds),
    ) as { product: number; category: number }[];
    for (const r of rows) {
      const list = out.get(r.product) ?? [];
      if (list[list.length - 1] !== r.category) list.push(r.category);
      out.set(r.product, list);
    }
    return out;
  }
  productsLinkedTo(categoryIds: readonly number[]): number[] {
    if (categoryIds.length === 0) return [];
    return (
      this.stmt('SELECT DISTINCT product FROM product_categories WHERE category IN (SELECT value FROM json_each(?))').all(JSON.stringify(categoryIds)) as {
        product: number;
      }[]
    ).map((r) => r.product);
  }
  /** Node ids whose path starts with `prefix` (the node itself and its descendants). */
  nodesUnder(prefix: string): number[] {
    return (this.stmt('SELECT id FROM category_nodes WHERE substr(path, 1, length(?)) = ?').all(prefix, prefix) as { id: number }[]).map((r) => r.id);
  }

  // --- content types -------------------------------------------------------------------------------

  replaceContentTypes(types: readonly ContentType[]): void {
    this.tx(() => {
      this.stmt('DELETE FROM content_types').run();
      const ins = this.stmt('INSERT INTO content_types (id, app_label, model) VALUES (?, ?, ?)');
      for (const t of types) ins.run(t.id, t.app_label, t.model);
    });
  }
  contentTypes(): ContentType[] {
    return this.stmt('SELECT id, app_label, model FROM content_types ORDER BY id').all() as ContentType[];
  }

  // --- cursors and meta -------------------------------------------------------------------------------

  cursor(name: string): string | null {
    return (this.stmt('SELECT value FROM cursors WHERE name = ?').get(name) as { value: string } | undefined)?.value ?? null;
  }
  setCursor(name: string, value: string): void {
    this.stmt('INSERT OR REPLACE INTO cursors (name, value) VALUES (?, ?)').run(name, value);
  }
  cursors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.stmt('SELECT name, value FROM cursors ORDER BY name').all() as { name: string; value: string }[]) out[r.name] = r.value;
    return out;
  }
  /** A raw run-state record: read and written only through run-state.ts, which checks it. */
  meta(key: string): unknown {
    const r = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as unknown) : null;
  }
  setMeta(key: string, value: unknown): void {
    if (value === null || value === undefined) this.stmt('DELETE FROM meta WHERE key = ?').run(key);
    else this.stmt('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  // --- document hashes and the pending set ------------------------------------------------------------

  hashes(gen: number, kind: DocKind, ids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const rows = this.stmt('SELECT id, hash FROM doc_hashes WHERE gen = ? AND kind = ? AND id IN (SELECT value FROM json_each(?))').all(
      gen,
      kind,
      JSON.stringify(ids),
    ) as { id: string; hash: string }[];
    for (const r of rows) out.set(r.id, r.hash);
    return out;
  }
  setHash(gen: number, kind: DocKind, id: string, hash: string): void {
    this.stmt('INSERT OR REPLACE INTO doc_hashes (gen, kind, id, hash) VALUES (?, ?, ?, ?)').run(gen, kind, id, hash);
  }
  deleteHash(gen: number, kind: DocKind, id: string): void {
    this.stmt('DELETE FROM doc_hashes WHERE gen = ? AND kind = ? AND id = ?').run(gen, kind, id);
  }

  /**
   * Forgets everything read from a source (its rows, links, content types, cursors, quarantine and
   * pending documents) before a rebuild from another source. The generations and their hashes stay:
   * they describe what the indexes hold.
   */
  forgetSource(): void {
    for (const spec of Object.values(TABLES)) this.stmt(`DELETE FROM ${spec.table}`).run();
    for (const table of ['product_categories', 'content_types', 'cursors', 'quarantine', 'pending']) this.stmt(`DELETE FROM ${table}`).run();
  }

  // --- index generations ---------------------------------------------------------------------------
  // A generation is one physical index the feeder maintains: the live one, and the one a rebuild is
  // filling. Which are open is the caller's to say (the live pointer and the rebuild plan); every
  // state change makes its documents pending in each of them, so neither misses a change the
  // other's run applied to the shared rows.

  /** Forgets a generation: its pending documents and its hashes. */
  dropGeneration(gen: number): void {
    this.stmt('DELETE FROM pending WHERE gen = ?').run(gen);
    this.stmt('DELETE FROM doc_hashes WHERE gen = ?').run(gen);
  }
  /** `gen` became the live index: every other generation's pending documents and hashes are forgotten. */
  keepOnlyGeneration(gen: number): void {
    this.stmt('DELETE FROM pending WHERE gen != ?').run(gen);
    this.stmt('DELETE FROM doc_hashes WHERE gen != ?').run(gen);
  }

  /** Makes documents pending in each of `gens`. */
  addPending(gens: readonly number[], kind: DocKind, ids: Iterable<number>): void {
    const ins = this.stmt('INSERT OR IGNORE INTO pending (gen, kind, id) VALUES (?, ?, ?)');
    for (const id of ids) for (const gen of gens) ins.run(gen, kind, id);
  }
  pendingBatch(gen: number, kind: DocKind, afterId: number, limit: number): number[] {
    return (
      this.stmt('SELECT id FROM pending WHERE gen = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?').all(gen, kind, afterId, limit) as { id: number }[]
    ).map((r) => r.id);
  }
  clearPending(gen: number, kind: DocKind, ids: readonly number[]): void {
    this.stmt('DELETE FROM pending WHERE gen = ? AND kind = ? AND id IN (SELECT value FROM json_each(?))').run(gen, kind, JSON.stringify(ids));
  }
  /** Documents pending in `gen` (the live index's, for health). */
  pendingCount(gen: number | null): number {
    if (gen === null) return 0;
    return (this.stmt('SELECT count(*) AS n FROM pending WHERE gen = ?').get(gen) as { n: number }).n;
  }

  // --- runs ------------------------------------------------------------------------------------------------

  startRun(kind: string): number {
    return Number(this.stmt("INSERT INTO runs (kind, started_at, outcome) VALUES (?, ?, 'running')").run(kind, nowIso()).lastInsertRowid);
  }
  finishRun(id: number, outcome: 'succeeded' | 'failed' | 'stopped', summary: object, error?: string): void {
    this.stmt('UPDATE runs SET finished_at = ?, outcome = ?, summary = ?, error = ? WHERE id = ?').run(
      nowIso(),
      outcome,
      JSON.stringify(summary),
      error ?? null,
      id,
    );
    // A sync every 10 s is 8,640 runs a day: the history keeps the latest RUN_HISTORY, and always
    // each kind's last success (what /metrics and `status` report).
    this.stmt(`DELETE FROM runs WHERE id <= ? - ${RUN_HISTORY} AND id NOT IN (SELECT max(id) FROM runs WHERE outcome = 'succeeded' GROUP BY kind)`).run(id);
  }
  recentRuns(limit = 10): RunRecord[] {
    return (this.stmt('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as (Omit<RunRecord, 'summary'> & { summary: string | null })[]).map((r) => ({
      ...r,
      summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : null,
    }));
  }
  /** When a run last succeeded (ISO), or null if none ever did. */
  lastSuccessAt(): string | null {
    return (this.stmt("SELECT max(finished_at) AS at FROM runs WHERE outcome = 'succeeded'").get() as { at: string | null }).at;
  }

  lastFinishedRun(): RunRecord | null {
    return this.recentRuns(20).find((r) => r.outcome !== 'running') ?? null;
  }

  // --- quarantine -----------------------------------------------------------------------------------------------

  quarantine(rec: InvalidRecord): void {
    const now = nowIso();
    this.stmt(
      `INSERT INTO quarantine (resource, record_key, reason, raw, first_seen, last_seen, attempts) VALUES (?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (resource, record_key) DO UPDATE SET reason = excluded.reason, raw = excluded.raw, last_seen = excluded.last_seen, attempts = attempts + 1`,
    ).run(rec.resource, rec.key, rec.reason, JSON.stringify(rec.raw) ?? 'null', now, now);
  }
  release(resource: string, key: string): boolean {
    return this.stmt('DELETE FROM quarantine WHERE resource = ? AND record_key = ?').run(resource, key).changes > 0;
  }
  quarantined(limit = 1000): QuarantineRecord[] {
    return (
      this.stmt('SELECT * FROM quarantine ORDER BY resource, last_seen DESC LIMIT ?').all(limit) as (Omit<QuarantineRecord, 'raw'> & { raw: string })[]
    ).map((r) => ({ ...r, raw: JSON.parse(r.raw) as unknown }));
  }
  /**
   * Quarantined source records to fetch again, least recently seen first: a record retried (and
   * still broken) moves to the back, so every record gets its turn however many stay broken.
   */
  quarantinedForRetry(resources: readonly string[], limit: number): QuarantineRecord[] {
    return (
      this.stmt(
        "SELECT * FROM quarantine WHERE resource IN (SELECT value FROM json_each(?)) AND record_key NOT GLOB '*[^0-9]*' ORDER BY last_seen, resource, record_key LIMIT ?",
      ).all(JSON.stringify(resources), limit) as (Omit<QuarantineRecord, 'raw'> & { raw: string })[]
    ).map((r) => ({ ...r, raw: JSON.parse(r.raw) as unknown }));
  }

  quarantineCount(resource?: string): number {
    if (resource !== undefined) return (this.stmt('SELECT count(*) AS n FROM quarantine WHERE resource = ?').get(resource) as { n: number }).n;
    return (this.stmt('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n;
  }
  purgeQuarantine(resource?: string): number {
    return resource ? this.stmt('DELETE FROM quarantine WHERE resource = ?').run(resource).changes : this.stmt('DELETE FROM quarantine').run().changes;
  }

  // --- the run lock ----------------------------------------------------------------------------------------------

  /**
   * Takes lock `name` for `ttlMs`. A lock whose holder's expiry passed, or whose holder process on
   * this host is gone (killed, crashed; its pid now another process's, or nobody's), is stale and
   * taken over.
   */
  acquireLock(name: string, holder: string, ttlMs: number): void {
    this.db
      .transaction(() => {
        const cur = this.lockHolder(name);
        const now = Date.now();
        if (cur && cur.holder !== holder && cur.expiresAt > now && cur.alive) {
          throw new LockBusyError(name, cur.holder, new Date(cur.expiresAt).toISOString());
        }
        this.stmt('INSERT OR REPLACE INTO locks (name, holder, pid, host, expires_at, started) VALUES (?, ?, ?, ?, ?, ?)').run(
          name,
          holder,
          process.pid,
          os.hostname(),
          now + ttlMs,
          processStart(process.pid),
        );
      })
      .immediate();
  }
  renewLock(name: string, holder: string, ttlMs: number): boolean {
    return this.stmt('UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?').run(Date.now() + ttlMs, name, holder).changes > 0;
  }
  /** Who holds lock `name`, and whether that process may still be alive (on another host it may be: only its expiry tells). */
  lockHolder(name: string): { holder: string; pid: number; host: string; expiresAt: number; alive: boolean } | null {
    const cur = this.stmt('SELECT holder, pid, host, expires_at, started FROM locks WHERE name = ?').get(name) as
      { holder: string; pid: number; host: string; expires_at: number; started: string | null } | undefined;
    if (!cur) return null;
    const alive = cur.host !== os.hostname() || processAlive(cur.pid, cur.started);
    return { holder: cur.holder, pid: cur.pid, host: cur.host, expiresAt: cur.expires_at, alive };
  }

  releaseLock(name: string, holder: string): void {
    this.stmt('DELETE FROM locks WHERE name = ? AND holder = ?').run(name, holder);
  }
}
