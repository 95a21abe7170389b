import type { FieldType, SearchProfile } from '../../profile/schema';
import { mergeDeep, readMapping } from '../mappings';
import type { IndexBody } from './client';

/** The mapping of what a profile adds to the contract: the fields a transform adds, and each locale's searchable text. */
export function profileMappings(profile: SearchProfile): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(profile.fields)) properties[field] = FIELD_MAPPING[type];
  if (profile.locales.length) {
    const text = { type: 'text' };
    properties.i18n = {
      properties: Object.fromEntries(profile.locales.map((l) => [l, { properties: { name: text, attributes: text, url: text, category_names: text } }])),
    };
  }
  return Object.keys(properties).length ? { properties } : {};
}

const FIELD_MAPPING: Record<FieldType, Record<string, unknown>> = {
  keyword: { type: 'keyword', ignore_above: 1024 },
  text: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
  number: { type: 'double' },
  boolean: { type: 'boolean' },
  date: { type: 'date' },
};

/** The top-level fields of the products mapping (with what the profile adds) that carry a `keyword` sub-field. */
export function keywordSubfields(profile: SearchProfile): Set<string> {
  const mappings = mergeDeep(readMapping<IndexBody>('products.json').mappings, profileMappings(profile));
  const properties = mappings.properties as Record<string, { fields?: { keyword?: unknown } }>;
  return new Set(Object.keys(properties).filter((f) => properties[f].fields?.keyword !== undefined));
}
