import type { SearchProfile } from './schema';

/**
 * The built-in profile: exactly what the feeder did before profiles existed. It produces
 * contract-v1 documents unchanged, and the engine settings in mappings/*.json (checked by
 * test/unit/profile.test.ts).
 */
export const BUILTIN_PROFILE: SearchProfile = {
  description: 'built-in: contract v1 documents, the engine settings of mappings/*.json',
  searchable: [
    { field: 'name', weight: 10 },
    { field: 'sku', weight: 6 },
    { field: 'base_code', weight: 4 },
    { field: 'category_names', weight: 2 },
    { field: 'attribute_labels', weight: 1 },
  ],
  facets: [
    { key: 'integration_color', field: 'attributes.integration_color', kind: 'terms', labels: {} },
    { key: 'size', field: 'attributes.size', kind: 'terms', labels: {} },
    { key: 'color', field: 'attributes.color', kind: 'terms', labels: {} },
    { key: 'brand', field: 'attributes.brand', kind: 'terms', labels: {} },
  ],
  filterable: [],
  sortable: ['price', 'created_date', 'discount_percentage'],
  synonyms: { groups: [], rules: [] },
  stopWords: [],
  fields: {},
  locales: [],
};
