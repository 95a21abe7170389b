/**
 * Node ids a product links to through its category attribute (docs/CONTRACT.md §2): a number, a list of
 * numbers or numeric strings, or a comma-separated string. Anything that is not a positive integer
 * is ignored, never fatal.
 */
export function categoryIdsFromAttribute(value: unknown): number[] {
  const out = new Set<number>();
  const take = (v: unknown) => {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v > 0) out.add(v);
    } else if (typeof v === 'string') {
      for (const part of v.split(',')) {
        const t = part.trim();
        if (/^\d+$/.test(t) && Number(t) > 0) out.add(Number(t));
      }
    }
  };
  if (Array.isArray(value)) value.forEach(take);
  else take(value);
  return [...out].sort((a, b) => a - b);
}
