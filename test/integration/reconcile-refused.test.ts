/*
 * Reconcile writes what the live index lacks. A document the sink refuses then must be quarantined
 * with the sink's reason, as during a sync or a rebuild (it used to be counted and forgotten).
 */
import { rebuild } from '../../src/sync/rebuild';
import { reconcile } from '../../src/sync/reconcile';
import { live, type Rejection, type Sink, type SinkDocument, type Target } from '../../src/sink/types';
import { withFeeder } from '../helpers/harness';

test('a document the sink refuses during a repair is quarantined with its reason, and written again by the next reconcile once accepted', async () => {
  await withFeeder({ products: 60, seed: 61 }, {}, async (_sandbox, rt) => {
    await rebuild(rt.ctx);
    const sink = rt.ctx.sink;
    const [victim] = [...(await sink.get(live(sink, 'products'), ['1', '2', '3', '4', '5'])).keys()];
    // A hand edit the repair must undo: the document is gone from the live index.
    await sink.delete(live(sink, 'products'), [victim]);

    // The sink refuses that one document, as an engine refuses one it cannot map (a double at the
    // seam: the real engines' refusals are in the fault matrix's "documents rejected by the sink").
    let refused = 0;
    const refusing: Sink = Object.create(sink, {
      write: {
        value: async (target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> => {
          const kept = docs.filter((d) => String(d.id) !== victim);
          if (kept.length < docs.length) refused++;
          await sink.write(target, kept);
          const refusedDoc = docs.find((d) => String(d.id) === victim);
          return refusedDoc ? [{ id: victim, reason: 'mapper_parsing_exception: field limit', raw: refusedDoc }] : [];
        },
      },
    }) as Sink;
    // The same wiring with the refusing sink in the place of the real one.
    const first = await reconcile({ ...rt.ctx, sink: refusing });
    // The fault happened: the repair sent the victim, and the sink refused it.
    expect(refused).toBe(1);
    expect(first).toMatchObject({ rejected: 1, missing: 0 });
    expect(rt.ctx.store.quarantine.list(100).filter((q) => q.resource === 'product_documents')).toMatchObject([
      { record_key: victim, reason: 'mapper_parsing_exception: field limit' },
    ]);

    const second = await reconcile(rt.ctx);
    expect(second).toMatchObject({ rejected: 0, missing: 1 });
    expect((await sink.get(live(sink, 'products'), [victim])).has(victim)).toBe(true);
    expect(rt.ctx.store.quarantine.list(100).filter((q) => q.resource === 'product_documents')).toEqual([]);
  });
});
