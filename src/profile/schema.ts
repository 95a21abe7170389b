import { z } from 'zod';

/*
 * The search profile: one declarative file (SEARCH_PROFILE) that shapes the index — which fields are
 * searched and how much each weighs, the facets and their labels, what can be filtered and sorted,
 * synonyms and stop words, the fields a transform adds, and the languages indexed. Each sink turns
 * it into its engine's settings (docs/PROFILE.md). Unknown keys are errors: a typo must not be
 * silently ignored.
 */

/** A language code as Akinon spells them (`tr-tr`, `en-us`). */
const locale = z.string().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/, 'expected a lowercase language code such as en-us');
/** A field a transform adds: a plain name, not a contract field. */
const fieldName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected lowercase letters, digits and _');
/** A document field path: `name`, `attributes.size`, `brand`. */
const fieldPath = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)*$/, 'expected a field path such as name or attributes.size');

export const FIELD_TYPES = ['keyword', 'text', 'number', 'boolean', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const profileSchema = z.strictObject({
  description: z.string().optional(),
  /** Searched fields, most important first, each with its weight (Meilisearch ranks by this order). */
  searchable: z
    .array(z.strictObject({ field: fieldPath, weight: z.number().positive().max(100) }))
    .min(1, 'at least one searchable field')
    .refine((a) => new Set(a.map((s) => s.field)).size === a.length, 'a field is listed twice'),
  /** Storefront facets: a key, the document field it counts, its kind, and its label per language. */
  facets: z
    .array(
      z
        .strictObject({
          key: fieldName,
          field: fieldPath.optional(),
          kind: z.enum(['terms', 'range']).default('terms'),
          labels: z.record(locale, z.string().min(1)).default({}),
        })
        // A facet counts the attribute of its key unless it names another field.
        .transform((f) => ({ ...f, field: f.field ?? `attributes.${f.key}` })),
    )
    .default([])
    .refine((a) => new Set(a.map((f) => f.key)).size === a.length, 'a facet key is listed twice'),
  /** Fields a storefront filters on besides the facets. */
  filterable: z.array(fieldPath).default([]),
  /** Fields a storefront sorts on (price is always sortable). */
  sortable: z.array(fieldPath).default([]),
  synonyms: z
    .strictObject({
      /** Words that all mean the same: a query for any finds all. */
      groups: z.array(z.array(z.string().trim().min(1)).min(2, 'a synonym group needs at least two words')).default([]),
      /** One-way rules: a query for `from` also finds `to`, not the reverse (`kot` → `jean`). */
      rules: z.array(z.strictObject({ from: z.string().trim().min(1), to: z.array(z.string().trim().min(1)).min(1) })).default([]),
    })
    .default({ groups: [], rules: [] }),
  /** Words a query ignores. */
  stopWords: z.array(z.string().trim().min(1)).default([]),
  /** Fields a transform adds to the document, with their types. */
  fields: z.record(fieldName, z.enum(FIELD_TYPES)).default({}),
  /**
   * What the search API returns of each product: these document fields (and always `id`); the
   * whole contract document when absent. It shapes responses only, not the index.
   */
  response: z
    .strictObject({
      fields: z.array(fieldPath).min(1).optional(),
      /**
       * The price choices of the storefront's price facet, as the boundaries between them
       * (`[250, 500, 750]`: 0-250, 250-500, 500-750 and 750 and above). Absent: derived from the
       * catalog's prices (docs/SEARCH-API.md).
       */
      priceBuckets: z
        .array(z.number().positive().max(1e12))
        .min(1)
        .max(20)
        .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]), 'boundaries must ascend')
        .optional(),
    })
    .optional(),
  /** Languages indexed besides the catalog's own: each gets searchable fields of its own (`i18n.<locale>`). */
  locales: z
    .array(locale)
    .default([])
    .refine((a) => new Set(a).size === a.length, 'a locale is listed twice'),
});

export type SearchProfile = z.infer<typeof profileSchema>;
export type ProfileFacet = SearchProfile['facets'][number];
