import path from 'node:path';
import { RUN_HISTORY, StateStore } from '../../src/state/store';
import { tempDir } from '../helpers/harness';

describe('the run history stays bounded', () => {
  test('it keeps the latest RUN_HISTORY runs, and each kind’s last success however old', () => {
    const store = new StateStore(path.join(tempDir(), 'state.db'));
    try {
      const rebuild = store.runs.start('rebuild');
      store.runs.finish(rebuild, 'succeeded', {});
      store.tx(() => {
        for (let i = 0; i < RUN_HISTORY + 50; i++) store.runs.finish(store.runs.start('sync'), i % 2 ? 'failed' : 'succeeded', {}, i % 2 ? 'down' : undefined);
      });
      const kept = store.runs.recent(RUN_HISTORY * 2);
      const count = kept.length;
      // The fault happened: more runs were written than are kept.
      expect(RUN_HISTORY + 51).toBeGreaterThan(count);
      expect(count).toBeLessThanOrEqual(RUN_HISTORY + 2);
      expect(kept.some((r) => r.id === rebuild)).toBe(true);
      expect(store.runs.lastSuccessAt()).not.toBeNull();
    } finally {
      store.close();
    }
  });
});

describe('run summaries read back', () => {
  test('a run lists its recorded figures; a stored summary that is not such a record lists the run without them', () => {
    const store = new StateStore(path.join(tempDir(), 'state.db'));
    try {
      const ok = store.runs.start('sync');
      store.runs.finish(ok, 'succeeded', { kind: 'sync', written: 3, durationMs: 12 });
      const odd = store.runs.start('sync');
      store.runs.finish(odd, 'succeeded', { kind: 'sync', nested: { written: 3 } });
      const [oddRun, okRun] = store.runs.recent(2);
      expect(okRun.summary).toEqual({ kind: 'sync', written: 3, durationMs: 12 });
      // The fault happened: the odd summary is stored as written…
      expect(oddRun.id).toBe(odd);
      // …and it is listed with its outcome, without figures.
      expect(oddRun).toMatchObject({ outcome: 'succeeded', summary: null });
    } finally {
      store.close();
    }
  });
});
