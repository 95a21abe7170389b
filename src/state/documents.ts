import type { IndexKind } from '../sink/types';
import type { StoreDb } from './db';

/** How a kind is written in the tables (`product`, `category`): what stores of every version hold. */
const TAG: Record<IndexKind, string> = { products: 'product', categories: 'category' };

/** The quarantine resource of documents of a kind the sink refused (`product_documents`). */
export function documentsResource(kind: IndexKind): string {
  return `${TAG[kind]}_documents`;
}

/**
 * Per index generation: the content hash of every document written, and the pending set of
 * documents to rewrite. A generation is one physical index the feeder maintains: the live one, and
 * the one a rebuild is filling. Which are open is the run state's to say (run-state.ts); every state
 * change makes its documents pending in each of them, so neither misses a change the other's run
 * applied to the shared rows.
 */
export class Documents {
  constructor(private readonly db: StoreDb) {}

  hashes(gen: number, kind: IndexKind, ids: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const rows = this.db
      .stmt('SELECT id, hash FROM doc_hashes WHERE gen = ? AND kind = ? AND id IN (SELECT value FROM json_each(?))')
      .all(gen, TAG[kind], JSON.stringify(ids)) as { id: string; hash: string }[];
    for (const r of rows) out.set(r.id, r.hash);
    return out;
  }
  setHash(gen: number, kind: IndexKind, id: string, hash: string): void {
    this.db.stmt('INSERT OR REPLACE INTO doc_hashes (gen, kind, id, hash) VALUES (?, ?, ?, ?)').run(gen, TAG[kind], id, hash);
  }
  deleteHash(gen: number, kind: IndexKind, id: string): void {
    this.db.stmt('DELETE FROM doc_hashes WHERE gen = ? AND kind = ? AND id = ?').run(gen, TAG[kind], id);
  }

  /** Forgets a generation: its pending documents and its hashes. */
  dropGeneration(gen: number): void {
    this.db.stmt('DELETE FROM pending WHERE gen = ?').run(gen);
    this.db.stmt('DELETE FROM doc_hashes WHERE gen = ?').run(gen);
  }
  /** `gen` became the live index: every other generation's pending documents and hashes are forgotten. */
  keepOnlyGeneration(gen: number): void {
    this.db.stmt('DELETE FROM pending WHERE gen != ?').run(gen);
    this.db.stmt('DELETE FROM doc_hashes WHERE gen != ?').run(gen);
  }

  /** Makes documents pending in each of `gens`. */
  addPending(gens: readonly number[], kind: IndexKind, ids: Iterable<number>): void {
    const ins = this.db.stmt('INSERT OR IGNORE INTO pending (gen, kind, id) VALUES (?, ?, ?)');
    for (const id of ids) for (const gen of gens) ins.run(gen, TAG[kind], id);
  }
  pendingBatch(gen: number, kind: IndexKind, afterId: number, limit: number): number[] {
    return (
      this.db.stmt('SELECT id FROM pending WHERE gen = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?').all(gen, TAG[kind], afterId, limit) as { id: number }[]
    ).map((r) => r.id);
  }
  clearPending(gen: number, kind: IndexKind, ids: readonly number[]): void {
    this.db.stmt('DELETE FROM pending WHERE gen = ? AND kind = ? AND id IN (SELECT value FROM json_each(?))').run(gen, TAG[kind], JSON.stringify(ids));
  }
  /** Documents pending in `gen` (the live index's, for health). */
  pendingCount(gen: number | null): number {
    if (gen === null) return 0;
    return (this.db.stmt('SELECT count(*) AS n FROM pending WHERE gen = ?').get(gen) as { n: number }).n;
  }
}
