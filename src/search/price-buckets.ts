import type { Bounds } from '../sink/types';

/*
 * The storefront's price choices: fixed buckets a shopper clicks (`price=0-250`, `price=750` for
 * "750 and above"), as a Project Zero template filters by price. Their boundaries come from the
 * search profile (`response.priceBuckets`), or are derived from the catalog's highest price.
 */

export interface PriceBucket {
  /** The choice's value, as a storefront sends it back: `lo-hi`, or `lo` for the open top bucket. */
  value: string;
  label: string;
  /** `lo` inclusive, `hi` exclusive. */
  bounds: Bounds;
}

/** Buckets from boundaries: `[250, 500]` gives 0-250, 250-500 and 500 and above. */
export function bucketsOf(boundaries: readonly number[]): PriceBucket[] {
  if (boundaries.length === 0) return [];
  const edges = [0, ...boundaries];
  return edges.map((lo, i) => {
    const hi = edges[i + 1];
    return hi === undefined
      ? { value: String(lo), label: `${lo}+`, bounds: { min: lo } }
      : { value: `${lo}-${hi}`, label: `${lo} - ${hi}`, bounds: { min: lo, max: hi, maxExclusive: true } };
  });
}

/** How many buckets a derived default has (the last one open). */
const DEFAULT_BUCKETS = 5;

/**
 * Boundaries for a catalog whose highest price is `max`: round steps (1, 2, 2.5 or 5 times a power
 * of ten) that split 0..max into about five buckets. No prices, no buckets.
 */
export function defaultBoundaries(max: number | null): number[] {
  if (max === null || !(max > 0)) return [];
  const raw = max / DEFAULT_BUCKETS;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let edge = step; edge < max && out.length < DEFAULT_BUCKETS - 1; edge += step) out.push(Number(edge.toPrecision(12)));
  return out;
}

/**
 * A price choice as a storefront sends it: `lo-hi` or `lo`, decimals allowed. Any such range is
 * taken, not only today's buckets: a link made before the boundaries moved still filters.
 * Anything else is null.
 */
export function parsePriceChoice(raw: string): PriceBucket | null {
  const m = /^(\d{1,12}(?:\.\d{1,6})?)(?:-(\d{1,12}(?:\.\d{1,6})?))?$/.exec(raw.trim());
  if (!m) return null;
  const lo = Number(m[1]);
  if (m[2] === undefined) return { value: String(lo), label: `${lo}+`, bounds: { min: lo } };
  const hi = Number(m[2]);
  if (hi <= lo) return null;
  return { value: `${lo}-${hi}`, label: `${lo} - ${hi}`, bounds: { min: lo, max: hi, maxExclusive: true } };
}
