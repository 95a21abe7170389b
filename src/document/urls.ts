import type { PrettyUrl } from '../source/schemas';

/**
 * `{language: new_path}` for a pretty URL and its translations. The default-language row wins
 * for its own language; among translations the lowest id wins. Rows without a language are skipped.
 */
export function urlsByLanguage(url: PrettyUrl | null, translations: readonly PrettyUrl[]): Record<string, string> {
  if (!url) return {};
  const out: Record<string, string> = {};
  const rows = [url, ...[...translations].sort((a, b) => a.id - b.id)];
  for (const row of rows) {
    if (row.language && !(row.language in out)) out[row.language] = row.new_path;
  }
  return sortKeys(out);
}

export function sortKeys<T>(obj: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}
