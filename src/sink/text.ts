import type { SinkDocument } from './types';

/*
 * Text handling shared by sinks that tokenize on our side. FTS5's unicode61 tokenizer folds case
 * and removes diacritics (ş -> s, ğ -> g), but Turkish dotless ı and dotted İ are letters of their
 * own to it, so both the indexed text and the query fold them to i.
 */
export function foldForSearch(text: string): string {
  return text.replace(/[ıİI]/g, 'i');
}

export function searchableText(doc: SinkDocument) {
  const str = (v: unknown) => (typeof v === 'string' ? foldForSearch(v) : '');
  const labels = doc.attribute_labels && typeof doc.attribute_labels === 'object' ? Object.values(doc.attribute_labels) : [];
  const categories = Array.isArray(doc.category_names) ? doc.category_names : [];
  return {
    name: str(doc.name),
    sku: str(doc.sku),
    base_code: str(doc.base_code),
    labels: foldForSearch(labels.filter((l): l is string => typeof l === 'string').join(' ')),
    categories: foldForSearch(categories.filter((c): c is string => typeof c === 'string').join(' ')),
  };
}

/**
 * An FTS5 query from what a user typed: every word must match; a word with inner punctuation
 * ("TUP-001-XS") is a phrase of its parts; the last word matches as a prefix (search as you type).
 * Returns null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const words = foldForSearch(text)
    .split(/\s+/)
    .map((w) => w.match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((parts) => parts.length > 0);
  if (words.length === 0) return null;
  return words.map((parts, i) => `"${parts.join(' ')}"${i === words.length - 1 ? '*' : ''}`).join(' AND ');
}
