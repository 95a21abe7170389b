/*
 * The randomized chaos test (test/faults/chaos.ts). `npm run faults` (FEEDER_FAULTS=full) runs 210
 * seeds over the four sinks and records them in test/faults/latest.json; `npm test` runs a short
 * version. A failing seed prints the command that replays it alone:
 *   FEEDER_CHAOS_SEED=<seed> FEEDER_CHAOS_SINK=<sink> npx jest test/faults/chaos.test.ts
 */
import { chaosSeed, type ChaosResult } from './chaos';
import { useEngines, type SinkName } from './matrix';
import { recordLatest, renderTable } from './record';
import { availableSinks } from '../helpers/skip';

const full = process.env.FEEDER_FAULTS === 'full';
const SINKS = availableSinks(['sqlite', 'elasticsearch', 'opensearch', 'meilisearch']);
const replaySeed = process.env.FEEDER_CHAOS_SEED ? Number(process.env.FEEDER_CHAOS_SEED) : null;
const seeds = replaySeed !== null ? [replaySeed] : Array.from({ length: full ? 210 : 6 }, (_, i) => i + 1);
const sinkOf = (seed: number): SinkName => (process.env.FEEDER_CHAOS_SINK as SinkName | undefined) ?? SINKS[seed % SINKS.length];

const engines = useEngines('chaos-meili-key');
const results: ChaosResult[] = [];

afterAll(() => {
  const sum = (rs: ChaosResult[], k: 'runs' | 'kills' | 'failed' | 'faults' | 'edits' | 'late' | 'lost' | 'duplicates') => rs.reduce((a, r) => a + r[k], 0);
  const body = SINKS.map((sink) => results.filter((r) => r.sink === sink))
    .filter((rs) => rs.length)
    .map((rs) => [
      rs[0].sink,
      String(rs.length),
      String(sum(rs, 'runs')),
      String(sum(rs, 'kills')),
      String(sum(rs, 'failed')),
      String(sum(rs, 'faults')),
      String(sum(rs, 'edits')),
      String(sum(rs, 'late')),
      String(sum(rs, 'lost')),
      String(sum(rs, 'duplicates')),
      `${rs.filter((r) => r.equal).length}/${rs.length}`,
      `${rs.filter((r) => r.healthy).length}/${rs.length}`,
    ]);
  const head = ['sink', 'seeds', 'runs', 'killed', 'failed', 'source faults', 'edits', 'late commits', 'lost', 'stale extra', 'equal clean rebuild', 'healthy'];
  process.stdout.write(`\nchaos: ${results.length} seeds\n${renderTable(head, body)}\n`);
  if (full && replaySeed === null) {
    recordLatest('chaos', {
      seeds: results.length,
      runs: sum(results, 'runs'),
      kills: sum(results, 'kills'),
      failedRuns: sum(results, 'failed'),
      sourceFaults: sum(results, 'faults'),
      edits: sum(results, 'edits'),
      lateCommits: sum(results, 'late'),
      lost: sum(results, 'lost'),
      stale: sum(results, 'duplicates'),
      perSeed: results,
    });
  }
});

describe('chaos: kills, source faults and edits during rebuild, sync and reconcile, then a clean sync, late commits and one more sync', () => {
  for (const seed of seeds) {
    const sink = sinkOf(seed);
    test(`seed ${seed} (${sink})`, async () => {
      const replay = `replay: FEEDER_CHAOS_SEED=${seed} FEEDER_CHAOS_SINK=${sink} npx jest test/faults/chaos.test.ts`;
      const r = await chaosSeed(seed, sink, engines).catch((err: Error) => {
        throw new Error(`chaos seed ${seed} (${sink}) failed: ${err.message}\n${replay}`, { cause: err });
      });
      results.push(r);
      if (r.lost || r.duplicates || !r.equal || !r.healthy) throw new Error(`chaos seed ${seed} (${sink}) diverged: ${JSON.stringify(r)}\n${replay}`);
    }, 300_000);
  }
});
