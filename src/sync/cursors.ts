/* Names of the cursors a sync keeps in the state store: one time window per resource, and the tombstone id. */

/** The cursor of a resource's time window (its watermark). */
export const windowCursor = (resource: string) => `window:${resource}`;
/** The last tombstone id applied. */
export const DELETED_CURSOR = 'deleted_items';
