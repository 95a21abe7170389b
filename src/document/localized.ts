import type { CategoryNode } from '../source/schemas';
import type { CategoryTree, ProductDocument, ProductInput } from './types';

/** One language's searchable text of a product (search profile `locales`). */
export interface LocaleFields {
  /** `localized_attributes[locale].name`. */
  name: string | null;
  /** The other localized attribute values, and attribute labels translated in `attributes_kwargs[key]._translations`. */
  attributes: string[];
  /** The product's pretty URL in that language. */
  url: string | null;
  /** The names of its categories (with their ancestors) in that language, where translated. */
  category_names: string[];
}

/** The `i18n` field of a document: for each locale, its searchable text (absent from contract-v1 documents). */
export function localeFields(input: ProductInput, doc: ProductDocument, tree: CategoryTree, locales: readonly string[]): Record<string, LocaleFields> {
  const { product } = input;
  const out: Record<string, LocaleFields> = {};
  for (const locale of locales) {
    const own = product.localized_attributes[locale] ?? {};
    const attributes: string[] = [];
    for (const [key, value] of Object.entries(own)) if (key !== 'name') attributes.push(...texts(value));
    for (const kwargs of Object.values(product.attributes_kwargs)) {
      const label = (kwargs as { _translations?: Record<string, { label?: unknown } | null> } | null)?._translations?.[locale]?.label;
      attributes.push(...texts(label));
    }
    const categoryNames = doc.category_ids
      // (a node stored before translations were kept has none)
      .map((id) => {
        const translations: CategoryNode['localized_attributes'] | undefined = tree.byId.get(id)?.localized_attributes;
        return translations?.[locale]?.name;
      })
      .filter((n): n is string => typeof n === 'string' && n.length > 0);
    out[locale] = {
      name: typeof own.name === 'string' ? own.name : null,
      attributes,
      url: doc.urls[locale] ?? null,
      category_names: categoryNames,
    };
  }
  return out;
}

function texts(v: unknown): string[] {
  if (typeof v === 'string') return v.length ? [v] : [];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.flatMap(texts);
  return [];
}
