import type { CategoryNode } from '../source/schemas';
import { chainOf, nodeUrl } from './tree';
import { urlsByLanguage } from './urls';
import type { CategoryDocument, CategoryTree } from './types';

/** The category document of `<index>_categories` (docs/CONTRACT.md §3). */
export function buildCategoryDocument(node: CategoryNode, tree: CategoryTree, pathStep: number): CategoryDocument {
  const ancestors = chainOf(node, tree, pathStep).slice(0, -1);
  const parentPath = node.path.length > pathStep ? node.path.slice(0, node.path.length - pathStep) : null;
  const url = node.pretty_url === null ? null : (tree.urls.get(node.pretty_url) ?? null);
  return {
    id: node.id,
    name: node.name,
    uuid: node.uuid,
    attributes: node.attributes,
    path: node.path,
    depth: node.depth,
    parent_id: parentPath === null ? null : (tree.byPath.get(parentPath)?.id ?? null),
    ancestors: ancestors.map((a) => ({ id: a.id, name: a.name })),
    url: nodeUrl(node, tree),
    urls: urlsByLanguage(url, url ? (tree.translations.get(url.id) ?? []) : []),
    order: node.order,
    numchild: node.numchild,
  };
}
