/*
 * Source timestamps carry microseconds ("2024-06-13T07:47:16.178157Z") and sometimes an offset.
 * JavaScript dates keep milliseconds only, so instants are compared through a canonical UTC text
 * with six fractional digits: it sorts as text, round-trips through SQLite, and loses nothing.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;

/** Canonical form of an ISO-8601 date or date-time, or null when it is not one. */
export function canonicalInstant(text: string): string | null {
  // Most source timestamps already are canonical (microseconds, UTC): the hot path of a crawl.
  if (CANONICAL.test(text) && Number(text.slice(8, 10)) <= 28) return text;
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offsetMin * 60_000;
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  if (date.getUTCFullYear() !== +y && offsetMin === 0) return null;
  if (offsetMin === 0 && (date.getUTCMonth() + 1 !== +mo || date.getUTCDate() !== +d)) return null;
  const micros = (frac + '000000').slice(0, 6);
  return `${date.toISOString().slice(0, 19)}.${micros}Z`;
}

/** Canonical instant of a JavaScript Date (millisecond precision). */
export function instantOf(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

/** Milliseconds since the epoch of a canonical instant. */
export function instantMs(canonical: string): number {
  return Date.parse(canonical.slice(0, 23) + 'Z');
}

/** `canonical` moved by `ms` milliseconds (sub-millisecond digits are kept). */
export function shiftInstant(canonical: string, ms: number): string {
  const moved = new Date(instantMs(canonical) + ms).toISOString().slice(0, 23);
  return `${moved}${canonical.slice(23, 26)}Z`;
}

/** The UTC day (YYYY-MM-DD) of a canonical instant, and the day after it. */
export function dayOf(canonical: string): string {
  return canonical.slice(0, 10);
}
export function nextDay(canonical: string): string {
  return new Date(Date.parse(canonical.slice(0, 10) + 'T00:00:00Z') + 86_400_000).toISOString().slice(0, 10);
}
