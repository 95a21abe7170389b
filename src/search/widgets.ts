import { fieldType } from '../profile/query';
import type { FieldType, SearchProfile } from '../profile/schema';

/*
 * The storefront's facet widgets, from the search profile: each profile facet is one, a facet on
 * `category_ids` is the category tree, a range facet is a slider. A category tree and a price slider
 * are always offered: when the profile declares none, they come under the keys `category` and `price`.
 */

export type WidgetType = 'category' | 'multiselect' | 'range';

export interface Widget {
  /** The facet's key: the query parameter that filters on it, and the key in the response. */
  key: string;
  /** The name the sink counts it by (a profile facet key, or a contract field). */
  facet: string;
  /** The document field. */
  field: string;
  type: WidgetType;
  /** Its name per language. */
  labels: Record<string, string>;
  /** The field's type: what a filter value must look like. */
  valueType: FieldType;
}

const DEFAULT_LABELS = { category: { en: 'Category', tr: 'Kategori' }, price: { en: 'Price', tr: 'Fiyat' } } as const;

export function widgetsOf(profile: SearchProfile): Widget[] {
  const widgets: Widget[] = profile.facets.map((f) => ({
    key: f.key,
    facet: f.key,
    field: f.field,
    type: f.field === 'category_ids' ? 'category' : f.kind === 'range' ? 'range' : 'multiselect',
    labels: f.labels,
    valueType: fieldType(profile, f.field),
  }));
  if (!widgets.some((w) => w.type === 'category')) {
    widgets.unshift({ key: 'category', facet: 'category_ids', field: 'category_ids', type: 'category', labels: {}, valueType: 'number' });
  }
  if (!widgets.some((w) => w.type === 'range' && w.field === 'price')) {
    widgets.push({ key: 'price', facet: 'price', field: 'price', type: 'range', labels: {}, valueType: 'number' });
  }
  return widgets;
}

/** A widget's name in a language: its label for the locale, then for the locale's language, then the first it has, then a default. */
export function widgetName(widget: Widget, locale: string | undefined): string {
  const { labels } = widget;
  const language = locale?.split('-')[0];
  const own = (locale ? labels[locale] : undefined) ?? Object.entries(labels).find(([l]) => language && l.split('-')[0] === language)?.[1];
  if (own) return own;
  if (Object.keys(labels).length) return Object.values(labels)[0];
  const fallback = widget.type === 'category' ? DEFAULT_LABELS.category : widget.field === 'price' ? DEFAULT_LABELS.price : null;
  if (fallback) return language === 'tr' ? fallback.tr : fallback.en;
  return widget.key;
}

/** The attribute a facet field counts (`attributes.size` → `size`), or null for a field of another kind. */
export function attributeOf(field: string): string | null {
  return /^attributes\.(.+)$/.exec(field)?.[1] ?? null;
}
