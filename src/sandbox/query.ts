import { canonicalInstant } from '../source/instant';
import { lowerBound, type ModifiedBound, type RawRecord } from './tables';

/*
 * The documented filters (vendor document, "Filtering Parameters"): id with exact/gt/gte/lt/lte,
 * modified_date with gt/gte/lt/lte (a date means that day's midnight, as Django compares a date
 * with a datetime field), multi-field `sort`, `page`. Unknown parameters are ignored, as
 * django-filter does; a resource without modified_date ignores those filters.
 */

type Cmp = 'gt' | 'gte' | 'lt' | 'lte' | 'exact';
const CMP: Record<Cmp, (a: string | number, b: string | number) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  exact: (a, b) => a === b,
};

export class BadQuery extends Error {}

interface Filter {
  field: 'id' | 'modified_date';
  cmp: Cmp;
  value: number | string;
}

export function parseFilters(params: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  for (const [key, raw] of params) {
    const m = /^(id|modified_date)(?:__(gt|gte|lt|lte|exact))?$/.exec(key);
    if (!m) continue;
    const field = m[1] as Filter['field'];
    const cmp = (m[2] ?? 'exact') as Cmp;
    if (field === 'id') {
      if (!/^\d+$/.test(raw)) throw new BadQuery(`${key}: Enter a number.`);
      filters.push({ field, cmp, value: Number(raw) });
    } else {
      const at = canonicalInstant(raw);
      if (!at) throw new BadQuery(`${key}: Enter a valid date/time.`);
      filters.push({ field, cmp, value: at });
    }
  }
  return filters;
}

export function parseSort(param: string | null): { field: string; desc: boolean }[] {
  if (!param) return [{ field: 'id', desc: false }];
  return param
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => ({ field: s.replace(/^-/, ''), desc: s.startsWith('-') }));
}

/**
 * One page of the rows matching `filters`, sorted, and how many match. The common keyset read
 * (id filters, sort=id) is answered by binary search without copying the table; a window read
 * (modified_date filters) from `modifiedWithin`, the table's `modified_date` order, when given.
 */
export function select(
  rows: readonly RawRecord[],
  filters: Filter[],
  sort: { field: string; desc: boolean }[],
  offset: number,
  size: number,
  modifiedWithin?: (bounds: ModifiedBound[]) => RawRecord[],
): { count: number; results: RawRecord[] } {
  const hasModified = rows.length > 0 && 'modified_date' in rows[0];
  const active = filters.filter((f) => f.field === 'id' || hasModified);
  let lo = 0;
  let hi = rows.length;
  for (const f of active) {
    if (f.field !== 'id') continue;
    const v = f.value as number;
    if (f.cmp === 'gt') lo = Math.max(lo, lowerBound(rows, v + 1));
    if (f.cmp === 'gte') lo = Math.max(lo, lowerBound(rows, v));
    if (f.cmp === 'lt') hi = Math.min(hi, lowerBound(rows, v));
    if (f.cmp === 'lte') hi = Math.min(hi, lowerBound(rows, v + 1));
    if (f.cmp === 'exact') {
      lo = Math.max(lo, lowerBound(rows, v));
      hi = Math.min(hi, lowerBound(rows, v + 1));
    }
  }
  const dateFilters = active.filter((f) => f.field === 'modified_date');
  const byIdAsc = sort.length === 1 && sort[0].field === 'id' && !sort[0].desc;
  if (byIdAsc && dateFilters.length === 0) {
    const count = Math.max(0, hi - lo);
    return { count, results: rows.slice(lo + offset, Math.min(hi, lo + offset + size)) };
  }
  let out: RawRecord[];
  if (dateFilters.length && modifiedWithin) {
    const ids = active.filter((f) => f.field === 'id');
    out = modifiedWithin(dateFilters.map((f) => ({ cmp: f.cmp, value: f.value as string })))
      .filter((r) => ids.every((f) => CMP[f.cmp](r.id, f.value)))
      .sort((a, b) => a.id - b.id);
  } else out = lo < hi ? rows.slice(lo, hi) : [];
  if (dateFilters.length && !modifiedWithin) {
    out = out.filter((r) => {
      const at = canonicalInstant(String(r.modified_date)) ?? '';
      return dateFilters.every((f) => CMP[f.cmp](at, f.value));
    });
  }
  if (!byIdAsc) {
    out = [...out].sort((a, b) => {
      for (const { field, desc } of sort) {
        const x = a[field] as string | number | null;
        const y = b[field] as string | number | null;
        if (x === y) continue;
        if (x === null || x === undefined) return desc ? 1 : -1;
        if (y === null || y === undefined) return desc ? -1 : 1;
        return (x < y ? -1 : 1) * (desc ? -1 : 1);
      }
      return a.id - b.id;
    });
  }
  return { count: out.length, results: out.slice(offset, offset + size) };
}
