/*
 * How the feeder compares Turkish text, in one place. Two rules, each for what compares it:
 * - `lowerTr`: lowercased the Turkish way (`I` → `ı`, `İ` → `i`), as the engines lowercase a
 *   synonym or stop word the profile hands them; the profile's own synonym and stop-word matching
 *   uses it too, so it agrees with them.
 * - `foldText`: lowercased the Turkish way, accents removed, dotless `ı` as `i`: `Işık Şal` and
 *   `isik sal` are equal. Our own matching uses it: the category tree's names, and the embedded
 *   index's full-text columns and queries (FTS5's tokenizer removes accents itself but treats `ı`
 *   and `i` as two letters).
 */

export function lowerTr(text: string): string {
  return text.toLocaleLowerCase('tr');
}

export function foldText(text: string): string {
  return lowerTr(text).normalize('NFD').replace(/\p{M}/gu, '').replace(/ı/g, 'i');
}
