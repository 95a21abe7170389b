import type { ContentType, DeletedItem } from '../source/schemas';
import type { ResourceName } from '../source/resources';
import type { Config } from '../config/schema';

/** Kinds of deleted objects the feeder acts on, by the model names docs/CONTRACT.md §2 lists. */
const KIND_MODELS: Record<string, { resource: ResourceName; models: string[] }> = {
  product: { resource: 'products', models: ['product'] },
  productprice: { resource: 'product_prices', models: ['productprice'] },
  productimage: { resource: 'product_images', models: ['productimage'] },
  categorynode: { resource: 'category_nodes', models: ['categorynode'] },
  prettyurl: { resource: 'pretty_urls', models: ['prettyurl', 'url'] },
};

/**
 * content_type id -> the resource whose rows it deletes. Resolved by model name
 * (case-insensitive), `prettyurl` before the looser `url`; AKINON_CONTENT_TYPES overrides a kind
 * with a model name or a content type id.
 */
export function resolveContentTypes(types: readonly ContentType[], overrides: Config['AKINON_CONTENT_TYPES']): Map<number, ResourceName> {
  const out = new Map<number, ResourceName>();
  for (const [kind, { resource, models }] of Object.entries(KIND_MODELS)) {
    const override = overrides?.[kind];
    if (typeof override === 'number') {
      out.set(override, resource);
      continue;
    }
    const names = override !== undefined ? [override.toLowerCase()] : models;
    for (const name of names) {
      const matches = types.filter((t) => t.model.toLowerCase() === name);
      if (matches.length === 0) continue;
      for (const t of matches) out.set(t.id, resource);
      break;
    }
  }
  return out;
}

export type TombstoneAction = { resource: ResourceName; id: number; deletedAt: string } | { skip: 'unknown' | 'ignored' };

/** What one tombstone means: a row to remove, or a content type we do not index. */
export function tombstoneAction(item: DeletedItem, resolved: Map<number, ResourceName>, known: Set<number>): TombstoneAction {
  const resource = resolved.get(item.content_type);
  if (resource) return { resource, id: item.object_id, deletedAt: item.deleted_date };
  return { skip: known.has(item.content_type) ? 'ignored' : 'unknown' };
}
