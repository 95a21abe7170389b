/*
 * Scenario 1 alone, for iterating on the rebuild's speed: a rebuild of BENCH_PRODUCTS (100,000)
 * products from the sandbox process into the discarding sink, timed with its peak RSS. BENCH_SINK
 * (elasticsearch, opensearch or meilisearch) rebuilds into that engine instead, started here, a
 * warm-up rebuild first (scenarios 2, 7 and 6 without their references). Give it the
 * roots of other builds to run them side by side, alternating, on the same sandbox (the figures of
 * one machine mean little alone):
 *
 *   npm run bench:quick                          # this build, three rounds
 *   npm run bench:quick -- /path/to/other/clone  # that clone's dist-bench beside this one's
 *
 * Each root needs `npx tsc -p tsconfig.bench.json` done. BENCH_PROFILE=1 writes a CPU profile
 * summary of this build's last round to bench/results/quick-profile.txt. BENCH_MEMORY_TRACE=1 writes
 * this build's last round's memory, sampled with the rebuild's phase, to bench/results/quick-memory.tsv.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summarizeProfile } from './profile';
import type { FeederReport } from './protocol';
import { SandboxProcess } from './sandbox-driver';
import { startElasticsearch } from '../test/support/elasticsearch';
import { startMeilisearch } from '../test/support/meilisearch';
import { startOpenSearch } from '../test/support/opensearch';

const ROOT = path.resolve(__dirname, '../..');
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SINK = process.env.BENCH_SINK ?? 'discard';

/** The engine BENCH_SINK names, started, and the feeder's settings to rebuild index `index` into it. */
async function startSink(): Promise<{ env: (index: string) => Record<string, string>; stop: () => Promise<void> }> {
  switch (SINK) {
    case 'discard':
      return { env: () => ({}), stop: async () => undefined };
    case 'elasticsearch': {
      const es = await startElasticsearch();
      return { env: (index) => ({ SINK, ES_URL: es.url, INDEX_NAME: index }), stop: () => es.stop() };
    }
    case 'opensearch': {
      const node = await startOpenSearch();
      return { env: (index) => ({ SINK, OPENSEARCH_URL: node.url, INDEX_NAME: index }), stop: () => node.stop() };
    }
    case 'meilisearch': {
      const meili = await startMeilisearch();
      return { env: (index) => ({ SINK, MEILI_URL: meili.url, MEILI_API_KEY: meili.apiKey, INDEX_NAME: index }), stop: () => meili.stop() };
    }
    default:
      throw new Error(`BENCH_SINK=${SINK}: expected discard, elasticsearch, opensearch or meilisearch`);
  }
}

async function main(): Promise<void> {
  const roots = [ROOT, ...process.argv.slice(2).map((r) => path.resolve(r))];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-quick-'));
  const [sandbox, sink] = await Promise.all([SandboxProcess.start(PRODUCTS), startSink()]);
  const runs = new Map<string, FeederReport[]>(roots.map((r) => [r, []]));
  try {
    if (SINK !== 'discard') {
      // An engine's first load runs slower while it warms up (a JVM's above all).
      const warm = await rebuild(ROOT, sandbox, path.join(work, 'warm-up'), sink.env('bench_warmup'), false);
      log(`warm-up: ${Math.round(warm.ms)} ms`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const root of roots) {
        const last = root === ROOT && round === ROUNDS - 1;
        const dir = path.join(work, `${runs.get(root)!.length}-${path.basename(root)}`);
        const report = await rebuild(root, sandbox, dir, sink.env(`bench_${runs.get(root)!.length}`), last);
        if (report.documents !== PRODUCTS) throw new Error(`${root}: ${report.documents} documents, expected ${PRODUCTS}`);
        runs.get(root)!.push(report);
        log(`${root}: ${Math.round(report.ms)} ms, peak RSS ${Math.round(report.peakRssMb)} MB`);
      }
    }
  } finally {
    await Promise.all([sandbox.stop(), sink.stop()]);
    fs.rmSync(work, { recursive: true, force: true });
  }
  const best = (root: string) => Math.min(...runs.get(root)!.map((r) => r.ms));
  for (const root of roots) {
    const reports = runs.get(root)!;
    const rss = Math.max(...reports.map((r) => r.peakRssMb));
    const vs = root === ROOT ? '' : `, this build ${(best(root) / best(ROOT)).toFixed(2)}x as fast`;
    process.stdout.write(
      `${root}: best ${Math.round(best(root))} ms (${Math.round(PRODUCTS / (best(root) / 1000))} docs/s), peak RSS ${Math.round(rss)} MB${vs}\n`,
    );
  }
}

async function rebuild(root: string, sandbox: SandboxProcess, dir: string, sinkEnv: Record<string, string>, last: boolean): Promise<FeederReport> {
  fs.mkdirSync(dir, { recursive: true });
  const profile = last && process.env.BENCH_PROFILE === '1';
  const trace = last && process.env.BENCH_MEMORY_TRACE === '1' ? path.join(ROOT, 'bench', 'results', 'quick-memory.tsv') : '';
  const env = sandbox.feederEnv(dir, { ...sinkEnv, BENCH_MEMORY_TRACE: trace });
  // The flags each build ships with, or BENCH_NODE_FLAGS to try others on the feeder alone (`BENCH_NODE_FLAGS=--max-semi-space-size=8`).
  const flags = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : await shippedFlags(root);
  const argv: string[] = profile ? [...flags, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-name=quick.cpuprofile'] : [...flags];
  return new Promise((resolve, reject) => {
    const sink = SINK === 'discard' ? 'discard' : 'engine';
    const child = spawn(process.execPath, [...argv, path.join(root, 'dist-bench', 'bench', 'feeder-process.js'), 'rebuild', sink], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${root} exited with ${code}: ${err}`));
      if (trace) log('wrote bench/results/quick-memory.tsv');
      if (profile) {
        fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'quick-profile.txt'), summarizeProfile(path.join(dir, 'quick.cpuprofile')));
        log('wrote bench/results/quick-profile.txt');
      }
      resolve(JSON.parse(out.trim().split('\n').pop()!) as FeederReport);
    });
  });
}

/** The V8 flags the build at `root` runs the feeder with (src/platform/node-flags.ts). */
async function shippedFlags(root: string): Promise<readonly string[]> {
  const file = path.join(root, 'dist-bench', 'src', 'platform', 'node-flags.js');
  if (!fs.existsSync(file)) return [];
  return ((await import(file)) as { NODE_FLAGS: readonly string[] }).NODE_FLAGS;
}

function log(msg: string): void {
  process.stderr.write(`[quick ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
