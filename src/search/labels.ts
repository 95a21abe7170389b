import { anyOf, type IndexSearcher } from '../sink/types';

/*
 * Display labels of attribute values: a facet counts `attributes.color` by its values (`SARI`, or
 * an option id), and a shopper reads the label Akinon gives beside it (`attributes_kwargs`, kept in
 * each document's `attribute_labels`: `Sarı`). The pairs live in the documents only, so a value's
 * label is read from one document holding it, once, and remembered for `ttlMs`.
 */

const LOOKUPS_AT_ONCE = 8;

export class LabelDirectory {
  private readonly known = new Map<string, { label: string; at: number }>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly searcher: IndexSearcher,
    private readonly ttlMs = 600_000,
    private readonly maxEntries = 50_000,
  ) {}

  /**
   * Labels of values of one attribute facet (`facet` as the sink filters it, `attribute` the key
   * in `attribute_labels`). A value whose label cannot be read (no document holds it any more, the
   * engine did not answer) is its own label.
   */
  async labels(facet: string, attribute: string, values: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    const now = Date.now();
    for (const v of values) {
      const hit = this.known.get(`${facet}\u0000${v}`);
      if (hit && now - hit.at < this.ttlMs) out.set(v, hit.label);
      else missing.push(v);
    }
    for (let i = 0; i < missing.length; i += LOOKUPS_AT_ONCE) {
      const batch = missing.slice(i, i + LOOKUPS_AT_ONCE);
      const labels = await Promise.all(batch.map((v) => this.lookup(facet, attribute, v)));
      batch.forEach((v, j) => out.set(v, labels[j]));
    }
    return out;
  }

  private lookup(facet: string, attribute: string, value: string): Promise<string> {
    const key = `${facet}\u0000${value}`;
    let p = this.pending.get(key);
    if (!p) {
      p = this.read(facet, attribute, value)
        .then((label) => {
          if (label !== null) {
            if (this.known.size >= this.maxEntries) this.known.clear();
            this.known.set(key, { label, at: Date.now() });
          }
          return label ?? value;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async read(facet: string, attribute: string, value: string): Promise<string | null> {
    try {
      const { hits } = await this.searcher.search({ filters: [anyOf(facet, [value])], limit: 1, countAll: false });
      const doc = hits[0];
      if (!doc) return null;
      const raw = (doc.attributes as Record<string, unknown> | undefined)?.[attribute];
      const label = (doc.attribute_labels as Record<string, unknown> | undefined)?.[attribute];
      // A label belongs to one value: a list of values has no label per value.
      if (Array.isArray(raw) || typeof label !== 'string' || label === '') return value;
      return label;
    } catch {
      return null;
    }
  }
}
