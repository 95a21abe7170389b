import fs from 'node:fs';
import { live, physicalName, type IndexKind, type IndexStamp, type Rejection, type Sink, type SinkDocument, type Target } from '../src/sink/types';

/**
 * The benchmarks' sink: serializes every document as a real sink must, then drops it. It keeps
 * which ids each index holds (a bitset, so a million documents cost ~125 KB) to answer `count`,
 * and nothing else, so what a rebuild measures is the feeder, not an engine. Given a file, it keeps
 * that state across processes (written on close), so a later run can sync against what a rebuild built.
 */
export class DiscardSink implements Sink {
  readonly engine = 'discard';
  readonly indexName = 'discard';
  /** Bytes of JSON the feeder handed over. */
  bytes = 0;
  private readonly indexes = new Map<string, IdSet>();
  private readonly aliases = new Map<IndexKind, string>();
  private readonly stamps = new Map<IndexKind, IndexStamp>();

  constructor(private readonly file?: string) {
    if (!file || !fs.existsSync(file)) return;
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Saved;
    for (const [name, bits] of Object.entries(saved.indexes)) this.indexes.set(name, IdSet.from(bits));
    for (const [kind, name] of Object.entries(saved.aliases)) this.aliases.set(kind as IndexKind, name);
    for (const [kind, stamp] of Object.entries(saved.stamps)) this.stamps.set(kind as IndexKind, stamp);
  }

  async create(kind: IndexKind, gen: number): Promise<Target> {
    const name = physicalName(`discard_${kind}`, gen);
    this.indexes.set(name, new IdSet());
    return { kind, name };
  }
  async has(target: Target): Promise<boolean> {
    return this.indexes.has(this.physical(target));
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
  async restamp(kind: IndexKind, stamp: IndexStamp): Promise<void> {
    this.stamps.set(kind, stamp);
  }
  async stamp(kind: IndexKind): Promise<IndexStamp | null> {
    return this.stamps.get(kind) ?? null;
  }
  async swap(target: Target, stamp: IndexStamp): Promise<void> {
    this.stamps.set(target.kind, stamp);
    const old = this.aliases.get(target.kind);
    this.aliases.set(target.kind, target.name);
    if (old && old !== target.name) this.indexes.delete(old);
  }
  async drop(target: Target): Promise<void> {
    this.indexes.delete(target.name);
  }
  async count(target: Target): Promise<number> {
    return this.indexes.get(this.physical(target))?.size ?? 0;
  }
  async get(): Promise<Map<string, SinkDocument>> {
    return new Map();
  }
  async *scan(): AsyncIterable<SinkDocument[]> {
    // Documents are not kept.
  }
  async close(): Promise<void> {
    if (this.file) {
      const saved: Saved = {
        indexes: Object.fromEntries([...this.indexes].map(([name, set]) => [name, set.encode()])),
        aliases: Object.fromEntries(this.aliases),
        stamps: Object.fromEntries(this.stamps),
      };
      fs.writeFileSync(this.file, JSON.stringify(saved));
    }
    this.indexes.clear();
  }

  /** The physical index behind a target: the public name resolves to the one swapped in last. */
  private physical(target: Target): string {
    return target.name === live(this, target.kind).name ? (this.aliases.get(target.kind) ?? target.name) : target.name;
  }

  private index(target: Target): IdSet {
    const name = this.physical(target);
    let set = this.indexes.get(name);
    if (!set) {
      set = new IdSet();
      this.indexes.set(name, set);
    }
    return set;
  }
}

interface Saved {
  indexes: Record<string, string>;
  aliases: Record<string, string>;
  stamps: Record<string, IndexStamp>;
}

/** A set of non-negative integer ids as a growable bitset. */
class IdSet {
  private bits = new Uint8Array(1024);
  size = 0;
  static from(encoded: string): IdSet {
    const set = new IdSet();
    set.bits = new Uint8Array(Buffer.from(encoded, 'base64'));
    for (const byte of set.bits) for (let b = byte; b; b &= b - 1) set.size++;
    return set;
  }
  encode(): string {
    return Buffer.from(this.bits).toString('base64');
  }
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
