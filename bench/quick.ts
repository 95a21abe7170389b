/*
 * Scenario 1 alone, for iterating on the rebuild's speed: a rebuild of BENCH_PRODUCTS (100,000)
 * products from the sandbox process into the discarding sink, timed with its peak RSS. Give it the
 * roots of other builds to run them side by side, alternating, on the same sandbox (the figures of
 * one machine mean little alone):
 *
 *   npm run bench:quick                          # this build, three rounds
 *   npm run bench:quick -- /path/to/other/clone  # that clone's dist-bench beside this one's
 *
 * Each root needs `npx tsc -p tsconfig.bench.json` done. BENCH_PROFILE=1 writes a CPU profile
 * summary of this build's last round to bench/results/quick-profile.txt.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_FLAGS } from '../src/platform/node-flags';
import { summarizeProfile } from './profile';
import type { FeederReport } from './protocol';
import { SandboxProcess } from './sandbox-driver';

const ROOT = path.resolve(__dirname, '../..');
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const roots = [ROOT, ...process.argv.slice(2).map((r) => path.resolve(r))];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-quick-'));
  const sandbox = await SandboxProcess.start(PRODUCTS);
  const runs = new Map<string, FeederReport[]>(roots.map((r) => [r, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const root of roots) {
        const profile = process.env.BENCH_PROFILE === '1' && root === ROOT && round === ROUNDS - 1;
        const report = await rebuild(root, sandbox, path.join(work, `${runs.get(root)!.length}-${path.basename(root)}`), profile);
        if (report.documents !== PRODUCTS) throw new Error(`${root}: ${report.documents} documents, expected ${PRODUCTS}`);
        runs.get(root)!.push(report);
        log(`${root}: ${Math.round(report.ms)} ms, peak RSS ${Math.round(report.peakRssMb)} MB`);
      }
    }
  } finally {
    await sandbox.stop();
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

function rebuild(root: string, sandbox: SandboxProcess, dir: string, profile: boolean): Promise<FeederReport> {
  fs.mkdirSync(dir, { recursive: true });
  const env = sandbox.feederEnv(dir);
  // The flags the feeder ships with, or BENCH_NODE_FLAGS to try others on the feeder alone (`BENCH_NODE_FLAGS=--max-semi-space-size=8`).
  const flags = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : NODE_FLAGS;
  const argv: string[] = profile ? [...flags, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-name=quick.cpuprofile'] : [...flags];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...argv, path.join(root, 'dist-bench', 'bench', 'feeder-process.js'), 'rebuild', 'discard'], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${root} exited with ${code}: ${err}`));
      if (profile) {
        fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'quick-profile.txt'), summarizeProfile(path.join(dir, 'quick.cpuprofile')));
        log('wrote bench/results/quick-profile.txt');
      }
      resolve(JSON.parse(out.trim().split('\n').pop()!) as FeederReport);
    });
  });
}

function log(msg: string): void {
  process.stderr.write(`[quick ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
