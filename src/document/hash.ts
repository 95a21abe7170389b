import { createHash } from 'node:crypto';

/**
 * Content hash of a document. Builders emit keys in a fixed order (attributes keep the source's
 * order), so the JSON text is a stable fingerprint of the content.
 */
export function documentHash(doc: unknown): string {
  return createHash('sha1').update(JSON.stringify(doc)).digest('base64url');
}
