/*
 * A rebuild keeps several batches in flight while the engine indexes them. The documents of a batch
 * handed to the sink must not stay reachable from the run while it waits: that is what held a
 * Meilisearch rebuild at 500+ MB (docs/PERFORMANCE.md). A double at the seam wraps the real SQLite
 * sink: no engine can be made to hold its answer for as long as a test needs, on demand.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { rebuild } from '../../src/sync/rebuild';
import type { Rejection, Sink, SinkDocument, Target } from '../../src/sink/types';
import { exportDocs, referenceDocs, withFeeder } from '../helpers/harness';
import { eventually } from '../helpers/cli';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('the documents of a batch the sink is still writing are released by the run', async () => {
  await withFeeder({ products: 400 }, { BATCH_SIZE: '50' }, async (sandbox, rt) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const pending: WeakRef<SinkDocument>[][] = [];
    const gated: Sink = Object.create(rt.ctx.sink, {
      // Not async, and nothing kept: the sink writes at once, its answer waits for the gate.
      write: {
        value: (target: Target, docs: readonly SinkDocument[]): Promise<Rejection[]> => {
          const written = rt.ctx.sink.write(target, docs);
          if (target.kind !== 'products') return written;
          pending.push(docs.map((d) => new WeakRef(d)));
          return gate.then(() => written);
        },
      },
    }) as Sink;
    const run = rebuild({ ...rt.ctx, sink: gated });
    // The rebuild has batches in flight, each waiting for the sink's answer.
    await eventually(async () => (pending.length >= 3 ? true : undefined));
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const held = pending.flat().filter((ref) => ref.deref() !== undefined).length;
    open();
    await run;
    // The fault happened: the run waited on batches of documents it had handed over.
    expect(pending.flat().length).toBeGreaterThanOrEqual(150);
    expect(held).toBe(0);
    // And what the sink finally answered was recorded: the index is what a fresh rebuild gives.
    expect(await exportDocs(rt)).toEqual((await referenceDocs(sandbox)).products);
  });
});
