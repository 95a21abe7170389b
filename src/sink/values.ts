import type { SinkDocument } from './types';

/**
 * The value at a dotted field path (`attributes.size`): each part a key of an object; a list or a
 * scalar on the way ends it (undefined). Every lookup of a profile field in a document goes through here.
 */
export function valueAt(doc: SinkDocument, field: string): unknown {
  let value: unknown = doc;
  for (const part of field.split('.'))
    value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/**
 * The scalar values of a document field as every sink filters and counts them (Elasticsearch's
 * flattened type does so): text as it is, numbers as their text (with the number), booleans as
 * true/false, each element of a list.
 */
export function facetValues(doc: SinkDocument, field: string): { value: string; num: number | null }[] {
  const value = valueAt(doc, field);
  const out: { value: string; num: number | null }[] = [];
  for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
    if (typeof v === 'string') out.push({ value: v, num: null });
    else if (typeof v === 'number' && Number.isFinite(v)) out.push({ value: String(v), num: v });
    else if (typeof v === 'boolean') out.push({ value: String(v), num: null });
  }
  return out;
}
