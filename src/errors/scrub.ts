/** `scheme://user:password@` in any text (a URL setting, a client's error) becomes `scheme://[redacted]@`. */
export function stripUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1[redacted]@');
}
