import { foldText } from '../profile/fold';
import { valueAt } from './values';
import type { SinkDocument } from './types';

/*
 * Text handling shared by sinks that tokenize on our side. FTS5's unicode61 tokenizer folds case
 * and removes diacritics (ş -> s, ğ -> g), but Turkish dotless ı and dotted İ are letters of their
 * own to it, so both the indexed text and the query are folded the feeder's one way (profile/fold.ts).
 */

/** The text of a document field for full-text indexing: strings, numbers and the values of lists and objects, space-separated, folded. */
export function fieldText(doc: SinkDocument, field: string): string {
  const value = valueAt(doc, field);
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(value);
  return foldText(out.join(' '));
}

/**
 * What a shopper typed, as every sink searches it (docs/CONTRACT.md §5): the whitespace-separated
 * words, each reduced to its letters and digits. A word with neither (`-`, `&`, `?`, `—`) is
 * dropped, and nothing is an operator: `-kazak` is `kazak`, `NOT` and `OR` are words, `*` and
 * quotes are punctuation. A word with inner punctuation keeps its parts together (`TUP-001-XS`).
 * Returns null when no text was given (no text search), and '' when text was given but holds no
 * word (it matches nothing).
 */
export function queryText(text: string | undefined): string | null {
  if (text === undefined || !text.trim()) return null;
  return text
    .split(/\s+/)
    .map((w) => (w.match(/[\p{L}\p{N}]+/gu) ?? []).join('-'))
    .filter(Boolean)
    .join(' ');
}

/** Several typed queries (synonym variants) as one FTS5 query that matches any of them; null when none is searchable. */
export function ftsAnyOf(texts: readonly string[]): string | null {
  const parts = texts.map(ftsQuery).filter((q): q is string => q !== null);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' OR ');
}

/**
 * An FTS5 query from what a user typed: every word must match; a word with inner punctuation
 * ("TUP-001-XS") is a phrase of its parts; the last word matches as a prefix (search as you type).
 * Returns null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const words = foldText(text)
    .split(/\s+/)
    .map((w) => w.match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((parts) => parts.length > 0);
  if (words.length === 0) return null;
  return words.map((parts, i) => `"${parts.join(' ')}"${i === words.length - 1 ? '*' : ''}`).join(' AND ');
}
