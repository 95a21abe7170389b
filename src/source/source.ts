import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { DwhHttp } from './http';
import { canonicalInstant, dayOf, nextDay } from './instant';
import { CONTENT_TYPES_PATH, DELETED_ITEMS_PATH, type ResourceDef, type ResourceName } from './resources';
import { contentTypeSchema, deletedItemSchema, describeIssue, type ContentType, type DeletedItem } from './schemas';
import { SourceFormatError } from '../errors';

/** A half-open modified_date window `[from, to)` in canonical instants; either side may be open. */
export interface Window {
  from?: string;
  to?: string;
}

/** A record that failed validation: kept with its reason, never indexed, retried later. */
export interface InvalidRecord {
  resource: string;
  key: string;
  reason: string;
  raw: unknown;
}

export interface Batch<T> {
  rows: T[];
  invalid: InvalidRecord[];
  /** Highest id seen on this page (valid or not): the keyset cursor to resume after. */
  lastId: number;
  /** Rows the server counts for this query from this page on (progress estimates only). */
  remaining?: number;
}

export interface SourceSettings {
  pageSize: number;
  pageSizeParam: string;
  cursorPrecision: 'datetime' | 'date';
}

/**
 * Streams of the Data Warehouse API. Every list is read by id keyset (`id__gt` + `sort=id`),
 * never by `page`, and never by following `next`: rows moving during a crawl are neither skipped
 * nor repeated, and a `next` that names another host or path is irrelevant.
 */
export class Source {
  constructor(
    readonly http: DwhHttp,
    private readonly settings: SourceSettings,
  ) {}

  /** Rows of one resource after `afterId`, optionally within a modified_date window. */
  async *read<T extends { id: number; modified_date: string }>(def: ResourceDef, opts: { afterId?: number; window?: Window } = {}): AsyncGenerator<Batch<T>> {
    const windowParams = this.windowParams(opts.window);
    for await (const page of this.paginate(def.path, opts.afterId ?? 0, windowParams)) {
      const batch = validate<T>(def.name, page.results, def.schema as z.ZodType<T, unknown>, page.lastId);
      batch.invalid.push(...rejectedRecords(def.name, page.rejected));
      batch.remaining = page.count;
      if (opts.window) batch.rows = batch.rows.filter((r) => inWindow(r.modified_date, opts.window!));
      yield batch;
    }
  }

  /** Tombstones after `afterId` (deleted-items has no modified_date: id cursor only). */
  async *deletedItems(afterId: number): AsyncGenerator<Batch<DeletedItem>> {
    for await (const page of this.paginate(DELETED_ITEMS_PATH, afterId, {})) {
      const batch = validate('deleted_items', page.results, deletedItemSchema, page.lastId);
      batch.invalid.push(...rejectedRecords('deleted_items', page.rejected));
      yield batch;
    }
  }

  /**
   * A tombstone cursor to start reading from: the highest deleted-item id whose `deleted_date` is
   * before `cutoff()` (evaluated once the first response has set the source clock). Tombstones
   * newer than the cutoff may still have lower-id neighbours in uncommitted transactions, so the
   * cursor stays below them. Reads newest first, a page at a time.
   */
  async deletedItemsBefore(cutoff: () => string): Promise<number> {
    let below: number | null = null;
    let at: string | null = null;
    for (;;) {
      const params: Record<string, string | number> = { sort: '-id', [this.settings.pageSizeParam]: this.settings.pageSize };
      if (below !== null) params.id__lt = below;
      const page = await this.http.getPage(DELETED_ITEMS_PATH, params);
      at ??= cutoff();
      const ids = page.results.map((r) => ({ id: rawId(r), date: deletedDate(r) }));
      for (const { id, date } of ids) {
        if (id === undefined) continue;
        if (below !== null && id >= below)
          throw new SourceFormatError(`GET ${DELETED_ITEMS_PATH}: the server does not honour id__lt; cannot find the tombstone cursor`);
        if (date !== null && date < at) return id;
      }
      const lowest = Math.min(...ids.map((r) => r.id ?? Infinity));
      if (!page.hasNext || !Number.isFinite(lowest)) return 0;
      below = lowest;
    }
  }

  async contentTypes(): Promise<ContentType[]> {
    const all: ContentType[] = [];
    for await (const page of this.paginate(CONTENT_TYPES_PATH, 0, {})) {
      all.push(...validate('content_types', page.results, contentTypeSchema, page.lastId).rows);
    }
    return all;
  }

  /** One record by id (quarantine retries): the valid row, its failure, or null when gone. */
  async fetchOne<T extends { id: number }>(def: ResourceDef, id: number): Promise<{ row?: T; invalid?: InvalidRecord } | null> {
    const page = await this.http.getPage(def.path, { id });
    const raw = page.results.find((r) => rawId(r) === id);
    if (raw === undefined) return null;
    const batch = validate<T>(def.name, [raw], def.schema as unknown as z.ZodType<T, unknown>, id);
    return batch.rows.length ? { row: batch.rows[0] } : { invalid: batch.invalid[0] };
  }

  clock(): string | null {
    return this.http.clock();
  }

  private windowParams(window?: Window): Record<string, string> {
    if (!window) return {};
    const p: Record<string, string> = {};
    if (this.settings.cursorPrecision === 'datetime') {
      if (window.from) p.modified_date__gte = window.from;
      if (window.to) p.modified_date__lt = window.to;
    } else {
      // Day filters only: widen to whole days on the server, cut exactly on our side.
      if (window.from) p.modified_date__gte = dayOf(window.from);
      if (window.to) p.modified_date__lt = nextDay(window.to);
    }
    return p;
  }

  /**
   * Pages of `path` by id keyset. Keyset paging is only correct if the server filters by `id__gt` and
   * sorts by id: both are checked, and a server that ignores them fails loudly rather than skipping
   * rows. Bad records do not stop the catalog: a record without an integer id is passed on to be
   * quarantined by validation (paging goes on by the ids around it), an exact duplicate of a row is
   * read once, and a second, different row under one id is rejected with its reason.
   */
  private async *paginate(path: string, afterId: number, filters: Record<string, string>) {
    let last = afterId;
    for (;;) {
      const params: Record<string, string | number> = { ...filters, sort: 'id', [this.settings.pageSizeParam]: this.settings.pageSize };
      if (last > 0) params.id__gt = last;
      const page = await this.http.getPage(path, params);
      const withoutId = page.results.filter((r) => rawId(r) === undefined);
      const withId = page.results.filter((r) => rawId(r) !== undefined);
      const fresh: unknown[] = [];
      const rejected: { raw: unknown; reason: string }[] = [];
      for (const r of withId.filter((x) => rawId(x)! > last)) {
        const prev = fresh[fresh.length - 1];
        if (prev !== undefined && rawId(prev) === rawId(r)) {
          if (JSON.stringify(prev) !== JSON.stringify(r)) rejected.push({ raw: r, reason: `id: a second, different record with id ${rawId(r)} on one page` });
          continue;
        }
        if (prev !== undefined && rawId(r)! < rawId(prev)!) {
          throw new SourceFormatError(`GET ${path}: the server does not honour sort=id (ids out of order); cannot page by id`);
        }
        fresh.push(r);
      }
      if (fresh.length === 0 && page.hasNext) {
        if (withId.length > 0) throw new SourceFormatError(`GET ${path}: the server does not honour id__gt (a page of rows already read); cannot page by id`);
        if (withoutId.length > 0) throw new SourceFormatError(`GET ${path}: a whole page of records without integer ids; cannot page past it`);
      }
      if (fresh.length === 0 && withoutId.length === 0) return;
      const pageMax = fresh.length ? rawId(fresh[fresh.length - 1])! : last;
      yield { results: [...fresh, ...withoutId], rejected, lastId: pageMax, count: page.count };
      if (!page.hasNext || fresh.length === 0) return;
      last = pageMax;
    }
  }
}

/** A raw tombstone's `deleted_date` as a canonical instant, or null when it has none. */
function deletedDate(r: unknown): string | null {
  const at = (r as { deleted_date?: unknown } | null)?.deleted_date;
  return typeof at === 'string' ? canonicalInstant(at) : null;
}

/** Records paging refused (a second, different row under one id), quarantined under their own key. */
function rejectedRecords(resource: string, rejected: { raw: unknown; reason: string }[]): InvalidRecord[] {
  return rejected.map((r) => ({ resource, key: `${recordKey(r.raw)}#duplicate`, reason: r.reason, raw: r.raw }));
}

function rawId(r: unknown): number | undefined {
  const id = (r as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) ? id : undefined;
}

function validate<T>(resource: string, raws: unknown[], schema: z.ZodType<T, unknown>, lastId: number): Batch<T> {
  const rows: T[] = [];
  const invalid: InvalidRecord[] = [];
  for (const raw of raws) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) rows.push(parsed.data);
    else invalid.push({ resource, key: recordKey(raw), reason: describeIssue(parsed.error), raw });
  }
  return { rows, invalid, lastId };
}

/** The quarantine key of a raw record: its id, or a digest of its body when it has none. */
export function recordKey(raw: unknown): string {
  const id = rawId(raw);
  if (id !== undefined) return String(id);
  return `sha1:${createHash('sha1')
    .update(JSON.stringify(raw) ?? 'undefined')
    .digest('hex')
    .slice(0, 16)}`;
}

export function inWindow(modified: string, window: Window): boolean {
  const at = canonicalInstant(modified);
  if (!at) return false;
  return (!window.from || at >= window.from) && (!window.to || at < window.to);
}

export type { ResourceName };
