import { foldText } from '../profile/fold';
import { live, type IndexReader } from '../sink/types';

/*
 * The category tree as the search API needs it: names for the category facet, and prefix matching
 * for autocomplete. It is read from the live categories index (the same on every sink) and kept in
 * memory: a catalog has hundreds or thousands of nodes, and a storefront asks for them on every
 * keystroke. It is re-read when a run finishes and at most `ttlMs` after it was last read.
 */

export interface CategoryEntry {
  id: number;
  name: string;
  parentId: number | null;
  depth: number;
  url: string | null;
  /** The names from the top of the tree down to this node. */
  path: string[];
  /** The folded words of its path, this node's own name last. */
  words: string[];
  ownWords: string[];
}

const wordsOf = (text: string) => foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];

export class CategoryDirectory {
  private tree = new Map<number, CategoryEntry>();
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;

  constructor(
    private readonly reader: IndexReader & { readonly indexName: string },
    private readonly ttlMs = 30_000,
  ) {}

  /** Forgets the tree: the next request reads it again (a run has just changed the index). */
  invalidate(): void {
    this.readAt = -Infinity;
  }

  /**
   * Every node by id. Concurrent requests share one read. When the index cannot be read, the last
   * tree read answers (search goes on without fresh names) and the next request tries again.
   */
  async all(): Promise<Map<number, CategoryEntry>> {
    if (Date.now() - this.readAt > this.ttlMs) {
      this.reading ??= this.read()
        .then(
          (tree) => {
            this.tree = tree;
            this.readAt = Date.now();
          },
          () => undefined,
        )
        .finally(() => (this.reading = null));
      await this.reading;
    }
    return this.tree;
  }

  /** Nodes whose path has a word starting with each word typed, those whose own name matches the last word first, then shallower, then by name. */
  async suggest(text: string, limit: number): Promise<CategoryEntry[]> {
    const typed = wordsOf(text);
    if (typed.length === 0) return [];
    const last = typed[typed.length - 1];
    const found = [...(await this.all()).values()].filter((c) => typed.every((t) => c.words.some((w) => w.startsWith(t))));
    const own = (c: CategoryEntry) => (c.ownWords.some((w) => w.startsWith(last)) ? 0 : 1);
    return found.sort((a, b) => own(a) - own(b) || a.depth - b.depth || a.name.localeCompare(b.name, 'tr') || a.id - b.id).slice(0, limit);
  }

  private async read(): Promise<Map<number, CategoryEntry>> {
    const tree = new Map<number, CategoryEntry>();
    for await (const page of this.reader.scan(live(this.reader, 'categories'))) {
      for (const doc of page) {
        const ancestors = Array.isArray(doc.ancestors) ? (doc.ancestors as { id: number; name: string }[]) : [];
        const name = typeof doc.name === 'string' ? doc.name : String(doc.id);
        const path = [...ancestors.map((a) => a.name), name];
        tree.set(Number(doc.id), {
          id: Number(doc.id),
          name,
          parentId: typeof doc.parent_id === 'number' ? doc.parent_id : null,
          depth: typeof doc.depth === 'number' ? doc.depth : ancestors.length + 1,
          url: typeof doc.url === 'string' ? doc.url : null,
          path,
          words: path.flatMap(wordsOf),
          ownWords: wordsOf(name),
        });
      }
    }
    return tree;
  }
}
