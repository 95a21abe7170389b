import type { IndexKind, Rejection, SearchResult, Sink, SinkDocument, Target } from '../src/sink/types';

/**
 * The benchmarks' sink: serializes every document as a real sink must, then drops it. It keeps
 * which ids each index holds (a bitset, so a million documents cost ~125 KB) to answer `count`,
 * and nothing else, so what a rebuild measures is the feeder, not an engine.
 */
export class DiscardSink implements Sink {
  readonly engine = 'discard';
  /** Bytes of JSON the feeder handed over. */
  bytes = 0;
  private readonly indexes = new Map<string, IdSet>();
  private readonly aliases = new Map<IndexKind, string>();

  live(kind: IndexKind): Target {
    return { kind, name: this.aliases.get(kind) ?? `discard_${kind}` };
  }
  async exists(kind: IndexKind): Promise<boolean> {
    return this.aliases.has(kind);
  }
  async create(kind: IndexKind, gen: number): Promise<Target> {
    const name = `discard_${kind}_${gen}`;
    this.indexes.set(name, new IdSet());
    return { kind, name };
  }
  async has(target: Target): Promise<boolean> {
    return this.indexes.has(target.name);
  }
  async write(target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> {
    const ids = this.index(target);
    for (const doc of docs) {
      this.bytes += JSON.stringify(doc).length;
      ids.add(Number(doc.id));
    }
    return [];
  }
  async delete(target: Target, ids: readonly string[]): Promise<void> {
    const set = this.index(target);
    for (const id of ids) set.delete(Number(id));
  }
  async swap(target: Target): Promise<void> {
    const old = this.aliases.get(target.kind);
    this.aliases.set(target.kind, target.name);
    if (old && old !== target.name) this.indexes.delete(old);
  }
  async drop(target: Target): Promise<void> {
    this.indexes.delete(target.name);
  }
  async count(target: Target): Promise<number> {
    return this.indexes.get(target.name)?.size ?? 0;
  }
  async get(): Promise<Map<string, SinkDocument>> {
    return new Map();
  }
  async *scan(): AsyncIterable<SinkDocument[]> {
    // Documents are not kept.
  }
  async search(): Promise<SearchResult> {
    return { total: 0, hits: [] };
  }
  async close(): Promise<void> {
    this.indexes.clear();
  }

  private index(target: Target): IdSet {
    let set = this.indexes.get(target.name);
    if (!set) {
      set = new IdSet();
      this.indexes.set(target.name, set);
    }
    return set;
  }
}

/** A set of non-negative integer ids as a growable bitset. */
class IdSet {
  private bits = new Uint8Array(1024);
  size = 0;
  add(id: number): void {
    this.grow(id);
    const mask = 1 << (id & 7);
    if (!(this.bits[id >> 3] & mask)) {
      this.bits[id >> 3] |= mask;
      this.size++;
    }
  }
  delete(id: number): void {
    if (id >> 3 >= this.bits.length) return;
    const mask = 1 << (id & 7);
    if (this.bits[id >> 3] & mask) {
      this.bits[id >> 3] &= ~mask;
      this.size--;
    }
  }
  private grow(id: number): void {
    if (id >> 3 < this.bits.length) return;
    let n = this.bits.length;
    while (id >> 3 >= n) n *= 2;
    const next = new Uint8Array(n);
    next.set(this.bits);
    this.bits = next;
  }
}
