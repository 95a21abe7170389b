/** `scheme://user:password@` in any text (a URL setting, a client's error) becomes `scheme://[redacted]@`. */
export function stripUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1[redacted]@');
}

/**
 * A URL's `user:password@` removed altogether (`https://u:p@host` → `https://host`): what a
 * stored identity holds, so that two spellings of one catalog compare equal and no secret is kept.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1');
}
