import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { sourceIdentity } from '../../src/config/schema';
import { StateStore } from '../../src/state/store';
import { knownSource } from '../../src/sync/source-identity';
import type { RunContext } from '../../src/sync/context';
import { tempDir } from '../helpers/harness';
import { storedSource } from '../../src/state/run-state';

describe('the source identity keeps no secret', () => {
  test('AKINON_URL with user:password@ gives an identity without them', () => {
    const config = loadConfig({ AKINON_URL: 'https://shop-user:s3cret@omnitron.example.com/', AKINON_CHANNEL_ID: '4', AKINON_TOKEN: 'x'.repeat(20) });
    expect(sourceIdentity(config)).toBe('https://omnitron.example.com channel 4');
  });

  test('a state store that remembered a source with credentials is rewritten without them, and still matches', () => {
    const store = new StateStore(path.join(tempDir(), 'state.db'));
    try {
      store.records.set('source', 'https://shop-user:s3cret@omnitron.example.com channel 4'); // as an earlier version wrote it
      const ctx = { store } as unknown as RunContext;
      expect(knownSource(ctx)).toBe('https://omnitron.example.com channel 4');
      expect(storedSource(store)).toBe('https://omnitron.example.com channel 4');
    } finally {
      store.close();
    }
  });
});
