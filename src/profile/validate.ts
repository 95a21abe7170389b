import type { FieldType, SearchProfile } from './schema';

/** The top-level fields of a contract-v1 product document (docs/CONTRACT.md §3), and `i18n` of the profile's locales. */
const CONTRACT_FIELDS = new Set([
  'id',
  'product_id',
  'name',
  'sku',
  'base_code',
  'uuid',
  'product_type',
  'is_active',
  'is_listable',
  'parent_id',
  'attribute_set_id',
  'attributes',
  'attribute_labels',
  'localized',
  'price',
  'retail_price',
  'tax_rate',
  'currency',
  'discount_percentage',
  'prices',
  'images',
  'image',
  'url',
  'urls',
  'categories',
  'category_ids',
  'category_names',
  'breadcrumbs',
  'variants',
  'created_date',
  'modified_date',
  'i18n',
]);

const FITS: Record<FieldType, (v: unknown) => boolean> = {
  keyword: (v) => typeof v === 'string',
  text: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  date: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
};

/**
 * Why a transform's result cannot be indexed, or null when it can: it must be an object with the
 * same id, and every field it adds must be declared in the profile with a value of that type (or
 * null, or a list of such values).
 */
export function transformedProblem(result: unknown, id: string, profile: SearchProfile): string | null {
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    return `transform returned ${Array.isArray(result) ? 'an array' : typeof result}, not a document or null`;
  const doc = result as Record<string, unknown>;
  if (String(doc.id) !== id) return `transform changed the document id (${JSON.stringify(doc.id)}, expected ${JSON.stringify(id)})`;
  for (const [key, value] of Object.entries(doc)) {
    if (CONTRACT_FIELDS.has(key)) continue;
    const type = profile.fields[key];
    if (type === undefined) return `transform returned the field ${key}, which the search profile does not declare (add it to "fields")`;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    const bad = values.find((v) => v !== null && !FITS[type](v));
    if (bad !== undefined) return `transform returned ${key} = ${JSON.stringify(bad)}, not a ${type} as the search profile declares`;
  }
  return null;
}
