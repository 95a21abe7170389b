/*
 * `npm run faults` (FEEDER_FAULTS=full): the whole matrix, the table printed and written to
 * test/faults/latest.json. Inside `npm test`: a reduced matrix. Either fails on any lost document or
 * any row whose final index differs from a clean rebuild.
 */
import { recordLatest, renderTable } from './record';
import {
  diskFullRow,
  clusterStoppedRow,
  killRow,
  meiliFailingRow,
  rejectedDocumentsRow,
  SOURCE_ROWS,
  twoFeedersRow,
  useEngines,
  type RowResult,
  type SinkName,
} from './matrix';
import { engineSkipReason } from '../support/engines';
import { availableSinks, testUnless } from '../helpers/skip';

const full = process.env.FEEDER_FAULTS === 'full';
const engines = useEngines('faults-meili-key');
const results: RowResult[] = [];

afterAll(() => {
  const table = render(results);
  process.stdout.write(`\n${table}\n`);
  if (full) recordLatest('matrix', { mode: 'full', rows: results });
});

function render(rows: RowResult[]): string {
  const head = ['fault', 'sink', 'runs', 'outcome', 'lost', 'duplicates', 'equals clean rebuild'];
  return renderTable(
    head,
    rows.map((r) => [r.fault, r.sink, String(r.runs), r.outcome, String(r.lost), String(r.duplicates), r.equal ? 'yes' : 'no']),
  );
}

async function row(run: () => Promise<RowResult>): Promise<void> {
  const r = await run();
  results.push(r);
  expect({ fault: r.fault, sink: r.sink, lost: r.lost, duplicates: r.duplicates, equal: r.equal }).toEqual({
    fault: r.fault,
    sink: r.sink,
    lost: 0,
    duplicates: 0,
    equal: true,
  });
}

const sourceSinks: SinkName[] = full ? availableSinks(['sqlite', 'elasticsearch', 'opensearch', 'meilisearch']) : ['sqlite'];
const reducedOthers: Record<string, SinkName[]> = { '5xx bursts': full ? [] : availableSinks(['elasticsearch', 'opensearch', 'meilisearch']) };

describe('source faults', () => {
  for (const [name, run] of Object.entries(SOURCE_ROWS)) {
    const sinks = full ? sourceSinks : [...sourceSinks, ...(reducedOthers[name] ?? [])];
    for (const sink of sinks) test(`${name} (${sink})`, () => row(() => run(sink, engines)), 300_000);
  }
});

describe('process faults', () => {
  const seeds = full ? 20 : 2;
  for (const command of ['rebuild', 'sync'] as const) {
    for (let seed = 1; seed <= seeds; seed++)
      test(`SIGKILL during ${command}, seed ${seed}`, () => row(() => killRow(command, seed, 'sqlite', engines)), 120_000);
  }
  test('disk full on the state store', () => row(() => diskFullRow(engines)), 120_000);
  test('two feeders on one state file at once', () => row(() => twoFeedersRow(engines)), 120_000);
});

describe('sink faults', () => {
  const es = testUnless(engineSkipReason('elasticsearch'));
  const os = testUnless(engineSkipReason('opensearch'));
  es('Elasticsearch stopped mid-bulk and restarted', () => row(() => clusterStoppedRow('elasticsearch', engines)), 300_000);
  os('OpenSearch stopped mid-bulk and restarted', () => row(() => clusterStoppedRow('opensearch', engines)), 300_000);
  test('Meilisearch double failing tasks', () => row(() => meiliFailingRow(engines)), 120_000); // the double runs in-process: always here
  es('documents rejected by Elasticsearch', () => row(() => rejectedDocumentsRow('elasticsearch', engines)), 120_000);
  os('documents rejected by OpenSearch', () => row(() => rejectedDocumentsRow('opensearch', engines)), 120_000);
});
