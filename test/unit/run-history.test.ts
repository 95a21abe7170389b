import path from 'node:path';
import { RUN_HISTORY, StateStore } from '../../src/state/store';
import { tempDir } from '../helpers/harness';

describe('the run history stays bounded', () => {
  test('it keeps the latest RUN_HISTORY runs, and each kind’s last success however old', () => {
    const store = new StateStore(path.join(tempDir(), 'state.db'));
    try {
      const rebuild = store.startRun('rebuild');
      store.finishRun(rebuild, 'succeeded', {});
      store.tx(() => {
        for (let i = 0; i < RUN_HISTORY + 50; i++) store.finishRun(store.startRun('sync'), i % 2 ? 'failed' : 'succeeded', {}, i % 2 ? 'down' : undefined);
      });
      const count = (store.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
      // The fault happened: more runs were written than are kept.
      expect(RUN_HISTORY + 51).toBeGreaterThan(count);
      expect(count).toBeLessThanOrEqual(RUN_HISTORY + 2);
      expect(store.db.prepare('SELECT id FROM runs WHERE id = ?').get(rebuild)).toBeDefined();
      expect(store.lastSuccessAt()).not.toBeNull();
    } finally {
      store.close();
    }
  });
});
