import type { FieldType, SearchProfile } from './schema';

const FITS: Record<FieldType, (v: unknown) => boolean> = {
  keyword: (v) => typeof v === 'string',
  text: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  date: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
};

/**
 * Why a transform's result cannot be indexed, or null when it can: it must be an object with the
 * id of the document it was given, and every field it adds to that document must be declared in
 * the profile with a value of that type (or null, or a list of such values).
 */
export function transformedProblem(result: unknown, given: Record<string, unknown>, profile: SearchProfile): string | null {
  const id = String(given.id);
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    return `transform returned ${Array.isArray(result) ? 'an array' : typeof result}, not a document or null`;
  const doc = result as Record<string, unknown>;
  if (String(doc.id) !== id) return `transform changed the document id (${JSON.stringify(doc.id)}, expected ${JSON.stringify(id)})`;
  for (const [key, value] of Object.entries(doc)) {
    if (key in given) continue;
    const type = profile.fields[key];
    if (type === undefined) return `transform returned the field ${key}, which the search profile does not declare (add it to "fields")`;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    const bad = values.find((v) => v !== null && !FITS[type](v));
    if (bad !== undefined) return `transform returned ${key} = ${JSON.stringify(bad)}, not a ${type} as the search profile declares`;
  }
  return null;
}
