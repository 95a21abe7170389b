import { killRow, NO_ENGINES } from '../faults/matrix';

/*
 * A feeder killed with SIGKILL at a random point, then started again, ends with the index an
 * uninterrupted run gives. Odd seeds kill on the k-th source request (mid-ingest); even seeds after
 * a random delay (anywhere, including mid-write). The full matrix (`npm run faults`) runs 20 seeds.
 */
const engines = NO_ENGINES;

describe('SIGKILL and restart', () => {
  test.each([1, 2, 3, 4, 5, 6])('sync killed (seed %i) then restarted converges', async (seed) => {
    expect(await killRow('sync', seed + 100, 'sqlite', engines)).toMatchObject({ lost: 0, duplicates: 0, equal: true });
  });
  test.each([1, 2, 3, 4])('rebuild killed (seed %i) then restarted converges', async (seed) => {
    expect(await killRow('rebuild', seed + 100, 'sqlite', engines)).toMatchObject({ lost: 0, duplicates: 0, equal: true });
  });
});
