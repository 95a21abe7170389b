import { categoryIdsFromAttribute } from '../document/links';
import type { ResourceName } from '../source/resources';
import type { StateStore, StoredRow } from '../state/store';
import type { Config } from '../config/schema';

/** Documents to rebuild because a joined record changed (docs/CONTRACT.md §3, last paragraph). */
export class Affected {
  readonly products = new Set<number>();
  readonly categories = new Set<number>();

  add(kind: 'products' | 'categories', ...ids: unknown[]): void {
    for (const id of ids) if (typeof id === 'number') this[kind].add(id);
  }
  get size(): number {
    return this.products.size + this.categories.size;
  }
}

/**
 * How a stored row reports what it changes. `window`: a sync's read (or a catch-up's), which marks
 * the documents of both the previous and the new version, changed or not. `crawl`: a rebuild's
 * read while a live index exists, which marks them only when the row is new or differs. Without
 * tracking (the very first crawl, with no index to keep up to date), nothing is marked.
 */
export type Tracking = { mode: 'window' | 'crawl'; affected: Affected };

/**
 * Stores one row (and, for products in attribute mode, its category links) and records which
 * documents it changes, from both the previous and the new version of the row: a price moved to
 * another product changes both products.
 */
export function applyRow(store: StateStore, config: Config, resource: ResourceName, row: StoredRow, seen: number, track?: Tracking): boolean {
  let old: StoredRow | null = null;
  let applied: boolean;
  if (!track) applied = store.rows.upsertRowBlind(resource, row, seen);
  else if (track.mode === 'crawl') ({ changed: applied, old } = store.rows.upsertRowTracked(resource, row, seen));
  else ({ old, applied } = store.rows.upsertRow(resource, row, seen));
  if (!applied) return false;
  if (resource === 'products' && config.CATEGORY_LINK === 'attribute') {
    const attrs = (row.attributes ?? {}) as Record<string, unknown>;
    store.links.set(row.id, row.id, categoryIdsFromAttribute(attrs[config.CATEGORY_ATTRIBUTE]));
  } else if (resource === 'category_links') {
    store.links.set(row.id, row.product as number, [row.category as number]);
  }
  if (track) propagate(store, resource, old, track.affected, row);
  return true;
}

/** A row is gone (tombstone or sweep): forget its links and record what embedded it. */
export function forgetRow(store: StateStore, config: Config, resource: ResourceName, old: StoredRow, affected?: Affected): void {
  if ((resource === 'products' && config.CATEGORY_LINK === 'attribute') || resource === 'category_links') store.links.clear(old.id);
  if (affected) propagate(store, resource, old, affected);
}

function propagate(store: StateStore, resource: ResourceName, old: StoredRow | null, affected: Affected, row?: StoredRow): void {
  const versions = [old, row].filter((r): r is StoredRow => !!r);
  switch (resource) {
    case 'products':
      for (const v of versions) affected.add('products', v.id, v.parent);
      break;
    case 'product_prices':
      for (const v of versions) {
        affected.add('products', v.product);
        // A variant's price shows in its parent's `variants[].price`.
        affected.add('products', store.rows.getRow('products', v.product as number)?.parent);
      }
      break;
    case 'product_images':
    case 'category_links':
      for (const v of versions) affected.add('products', v.product);
      break;
    case 'pretty_urls': {
      // A translation changes the `urls` of whatever uses its default-language URL.
      const keys = [...new Set(versions.flatMap((v) => [v.id, v.parent]).filter((k): k is number => typeof k === 'number'))];
      affected.add('products', ...store.rows.idsWhere('products', 'pretty_url', keys));
      const nodes = store.rows.idsWhere('category_nodes', 'pretty_url', keys);
      affected.add('categories', ...nodes);
      affected.add('products', ...store.links.productsLinkedTo(nodes));
      break;
    }
    case 'category_nodes': {
      // Names and paths show in descendants' breadcrumbs and ancestors: the whole subtree changes.
      const nodes = new Set<number>(versions.map((v) => v.id));
      for (const v of versions) for (const id of store.rows.nodesUnder(String(v.path))) nodes.add(id);
      affected.add('categories', ...nodes);
      affected.add('products', ...store.links.productsLinkedTo([...nodes]));
      break;
    }
  }
}
