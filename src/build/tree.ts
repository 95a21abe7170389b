import type { CategoryNode, PrettyUrl } from '../source/schemas';
import type { CategoryTree } from './types';

/** Indexes nodes and URLs for the builder. When two nodes share a path, the lower id wins. */
export function categoryTree(nodes: Iterable<CategoryNode>, urls: Iterable<PrettyUrl>): CategoryTree {
  const byId = new Map<number, CategoryNode>();
  const byPath = new Map<string, CategoryNode>();
  for (const n of nodes) {
    byId.set(n.id, n);
    const seen = byPath.get(n.path);
    if (!seen || n.id < seen.id) byPath.set(n.path, n);
  }
  const urlMap = new Map<number, PrettyUrl>();
  const translations = new Map<number, PrettyUrl[]>();
  for (const u of urls) {
    urlMap.set(u.id, u);
    if (u.parent !== null) {
      const list = translations.get(u.parent) ?? [];
      list.push(u);
      translations.set(u.parent, list);
    }
  }
  return { byId, byPath, urls: urlMap, translations };
}
