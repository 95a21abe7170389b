import path from 'node:path';
import { StateStore } from '../../src/state/store';
import { ConfigError, FeederError } from '../../src/errors';
import {
  linkMode,
  liveGen,
  openGenerations,
  rebuildPlan,
  refusedRebuild,
  saveRebuildPlan,
  setLinkMode,
  setLiveGen,
  setRefusedRebuild,
  setStoredSource,
  storedSource,
  type RebuildPlan,
} from '../../src/state/run-state';
import { tempDir } from '../helpers/harness';

const plan: RebuildPlan = {
  gen: 1_796_000_000_000,
  since: '2026-12-01T10:00:00.000000Z',
  deletedAfter: 12,
  products: 'products__g1796000000000',
  categories: 'products_categories__g1796000000000',
  crawled: { products: 410, product_prices: 'done' },
  builtAfter: 0,
  categoriesBuilt: false,
  linkMode: 'attribute',
};

function withStore(fn: (store: StateStore) => void): void {
  const store = new StateStore(path.join(tempDir(), 'state.db'));
  try {
    fn(store);
  } finally {
    store.close();
  }
}

test('each record round-trips through its named functions, and the open generations follow the live pointer and the plan', () => {
  withStore((store) => {
    expect([liveGen(store), rebuildPlan(store), refusedRebuild(store), storedSource(store), linkMode(store)]).toEqual([null, null, null, null, null]);
    expect(openGenerations(store)).toEqual([]);
    setLiveGen(store, 7);
    saveRebuildPlan(store, plan);
    setRefusedRebuild(store, { at: '2026-12-01T10:00:00Z', reason: 'the crawl found 3 of 100 rows' });
    setStoredSource(store, 'https://omnitron.example.com channel 4');
    setLinkMode(store, 'attribute');
    expect(rebuildPlan(store)).toEqual(plan);
    expect(openGenerations(store)).toEqual([7, plan.gen]);
    saveRebuildPlan(store, null);
    setRefusedRebuild(store, null);
    expect([rebuildPlan(store), refusedRebuild(store), openGenerations(store)]).toEqual([null, null, [7]]);
    expect([storedSource(store), linkMode(store)]).toEqual(['https://omnitron.example.com channel 4', 'attribute']);
  });
});

test('a checkpoint written before `expected` existed still reads', () => {
  withStore((store) => {
    const { expected: _none, ...older } = { ...plan, expected: undefined };
    store.records.set('rebuild', older);
    expect(rebuildPlan(store)).toEqual(older);
  });
});

test.each([
  [
    'a rebuild checkpoint without its generation',
    'rebuild',
    { ...plan, gen: undefined },
    rebuildPlan,
    /rebuild checkpoint cannot be read by this version .* at gen/,
  ],
  [
    'a crawl position that is neither an id nor done',
    'rebuild',
    { ...plan, crawled: { products: 'half' } },
    rebuildPlan,
    /rebuild checkpoint .* at crawled\.products/,
  ],
  ['a live generation written as text', 'live_gen', '17', liveGen, /live index generation cannot be read/],
  ['a refusal without its reason', 'rebuild_refused', { at: '2026-12-01' }, refusedRebuild, /refused rebuild cannot be read .* at reason/],
] as const)('%s fails with one line naming STATE_PATH, not a run on a half-read checkpoint', (_name, key, value, read, message) => {
  withStore((store) => {
    store.records.set(key, value);
    let err: unknown;
    try {
      read(store);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^STATE_PATH: the state store's /);
    expect((err as ConfigError).message).toMatch(message);
  });
});

test('a bad value is refused where it is written, with a code and one line', () => {
  withStore((store) => {
    let err: unknown;
    try {
      saveRebuildPlan(store, { ...plan, since: '' });
    } catch (e) {
      err = e;
    }
    expect((err as FeederError).code).toBe('FEEDER_ERR_STATE');
    expect((err as FeederError).message).toMatch(/^the rebuild checkpoint to be stored is invalid \(.* at since\)$/);
    expect(rebuildPlan(store)).toBeNull();
  });
});

test('a checkpoint keeps an absurd id the source sent (the shrink guard deals with it, not the store)', () => {
  withStore((store) => {
    saveRebuildPlan(store, { ...plan, crawled: { products: 2 ** 53 } });
    expect(rebuildPlan(store)?.crawled.products).toBe(2 ** 53);
  });
});
