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

/** Paths of the ancestors of `path`, root first (`0001000100010005` -> 0001, 00010001, 000100010001). */
export function ancestorPaths(path: string, step: number): string[] {
  const out: string[] = [];
  for (let end = step; end < path.length; end += step) out.push(path.slice(0, end));
  return out;
}

/** Existing nodes from the root down to `node` (missing ancestors are skipped). */
export function chainOf(node: CategoryNode, tree: CategoryTree, step: number): CategoryNode[] {
  const chain: CategoryNode[] = [];
  for (const p of ancestorPaths(node.path, step)) {
    const a = tree.byPath.get(p);
    if (a) chain.push(a);
  }
  chain.push(node);
  return chain;
}

export function nodeUrl(node: CategoryNode, tree: CategoryTree): string | null {
  return node.pretty_url === null ? null : (tree.urls.get(node.pretty_url)?.new_path ?? null);
}
