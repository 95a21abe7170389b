import { lowerTr } from './fold';
import type { FieldType, SearchProfile } from './schema';

/*
 * What a search asks of a profile, the same for every sink: the fields to search (with their
 * weights) for a language, the document field a facet counts, and the query's variants under the
 * profile's synonyms and stop words.
 */

export interface WeightedField {
  field: string;
  weight: number;
}

/** The per-language fields of `i18n.<locale>`, each weighted like its counterpart in the catalog's own language. */
const LOCALE_PARTS: { part: string; like: string }[] = [
  { part: 'name', like: 'name' },
  { part: 'attributes', like: 'attribute_labels' },
  { part: 'category_names', like: 'category_names' },
  { part: 'url', like: '' },
];

export function localeSearchFields(profile: SearchProfile, locale: string): WeightedField[] {
  const weightOf = (field: string) => profile.searchable.find((s) => s.field === field)?.weight ?? 1;
  return LOCALE_PARTS.map(({ part, like }) => ({ field: `i18n.${locale}.${part}`, weight: like ? weightOf(like) : 1 }));
}

/**
 * The fields a query searches: the profile's searchable fields, and with a `locale` of the profile
 * that language's fields first. A locale the profile does not index adds nothing.
 */
export function searchFields(profile: SearchProfile, locale?: string): WeightedField[] {
  const own = profile.searchable.map((s) => ({ field: s.field, weight: s.weight }));
  if (!locale || !profile.locales.includes(locale)) return own;
  return [...localeSearchFields(profile, locale), ...own];
}

/** Every field any query may search (engine settings): the searchable fields, then each locale's. */
export function allSearchFields(profile: SearchProfile): WeightedField[] {
  return [...profile.searchable, ...profile.locales.flatMap((l) => localeSearchFields(profile, l))];
}

/**
 * The document field a facet name counts: a profile facet's field; a declared field by its name;
 * a field path as given; otherwise an attribute key (`size` → `attributes.size`).
 */
export function facetField(profile: SearchProfile, name: string): string {
  const facet = profile.facets.find((f) => f.key === name);
  if (facet) return facet.field;
  if (name in profile.fields || name in CONTRACT_FIELD_TYPES || name.includes('.')) return name;
  return `attributes.${name}`;
}

/** The types of the contract fields a facet, a filter or a sort may name (docs/CONTRACT.md §3). */
const CONTRACT_FIELD_TYPES: Record<string, FieldType> = {
  product_id: 'number',
  name: 'text',
  sku: 'text',
  base_code: 'text',
  product_type: 'keyword',
  is_active: 'boolean',
  is_listable: 'boolean',
  parent_id: 'number',
  attribute_set_id: 'number',
  price: 'number',
  retail_price: 'number',
  tax_rate: 'number',
  currency: 'keyword',
  discount_percentage: 'number',
  url: 'keyword',
  category_ids: 'number',
  created_date: 'date',
  modified_date: 'date',
};

/** The type of a document field: a field the transform adds as declared, a contract field's, attributes as keywords. */
export function fieldType(profile: SearchProfile, field: string): FieldType {
  return profile.fields[field] ?? CONTRACT_FIELD_TYPES[field] ?? 'keyword';
}

/** The fields a search may sort on: price and created_date (newest first), then the profile's. */
export function sortableFields(profile: SearchProfile): string[] {
  return [...new Set(['price', 'created_date', ...profile.sortable])];
}

/** Whether a facet name is a range facet of the profile (its result is the lowest and highest value). */
export function isRangeFacet(profile: SearchProfile, name: string): boolean {
  return profile.facets.some((f) => f.key === name && f.kind === 'range');
}

/** Every field an engine must be able to filter and count on: facets and the profile's filterable fields. */
export function facetFields(profile: SearchProfile): string[] {
  return [...new Set([...profile.facets.map((f) => f.field), ...profile.filterable])];
}

const MAX_VARIANTS = 16;
const fold = lowerTr;
const words = (s: string) => s.split(/\s+/).filter(Boolean);

/**
 * Each synonym term (lowercased the Turkish way, single-spaced) and the terms a query for it also
 * finds: every other word of its two-way groups, and the targets of its one-way rules.
 */
export function synonymMap(profile: SearchProfile): Map<string, string[]> {
  const alternatives = new Map<string, string[]>();
  const add = (from: string, to: string[]) => {
    const key = words(fold(from)).join(' ');
    const list = alternatives.get(key) ?? [];
    for (const t of to) if (fold(t) !== key && !list.includes(t)) list.push(t);
    alternatives.set(key, list);
  };
  for (const group of profile.synonyms.groups) for (const w of group) add(w, group);
  for (const rule of profile.synonyms.rules) add(rule.from, rule.to);
  return alternatives;
}

/**
 * The query as typed, then the same query with each synonym substituted (two-way groups and
 * one-way rules, matched as whole words, case-insensitively, multi-word terms included), stop words
 * removed from each (unless nothing would be left). At most 16 variants; the original first.
 */
export function queryVariants(profile: SearchProfile, text: string): string[] {
  const alternatives = synonymMap(profile);
  const longest = Math.max(0, ...[...alternatives.keys()].map((k) => words(k).length));

  let variants: string[][] = [words(text)];
  if (alternatives.size > 0) {
    // Left to right: at each position the longest term that matches is substituted in every variant so far.
    const original = words(text);
    let expanded: string[][] = [[]];
    for (let i = 0; i < original.length;) {
      let matched = 0;
      let alts: string[] = [];
      for (let n = Math.min(longest, original.length - i); n > 0; n--) {
        const found = alternatives.get(
          original
            .slice(i, i + n)
            .map(fold)
            .join(' '),
        );
        if (found?.length) {
          matched = n;
          alts = found;
          break;
        }
      }
      const here = matched ? original.slice(i, i + matched) : [original[i]];
      const options = [here, ...alts.map(words)];
      expanded = expanded.flatMap((prefix) => options.map((o) => [...prefix, ...o])).slice(0, MAX_VARIANTS);
      i += matched || 1;
    }
    variants = expanded;
  }
  const stop = new Set(profile.stopWords.map(fold));
  const out: string[] = [];
  for (const v of variants) {
    const kept = v.filter((w) => !stop.has(fold(w)));
    const q = (kept.length ? kept : v).join(' ');
    if (q && !out.includes(q)) out.push(q);
  }
  return out.length ? out : [text.trim()];
}
