/*
 * A real Elasticsearch-protocol node for tests and benchmarks: Elasticsearch or OpenSearch, from the
 * runnable test distributions Maven Central publishes (`integ-test-zip`: the server and its
 * transport module, no bundled JDK, no analysis-common). Each is fetched once with
 * `mvn dependency:copy` into .cache/<engine> (ignored by git), unpacked, and started on free
 * loopback ports: single node, security off, a small heap, disk thresholds off, as a non-root user
 * (both refuse to run as root). Both run on the machine's default Java 17.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineLifecycle, freePort, repoRoot } from './engine-process';

const RUN_AS = 'esfeeder';

export interface ClusterNode {
  url: string;
  /** Stops the node (no-op for an external cluster). */
  stop(): Promise<void>;
  /** Stops the node's process hard, keeping its data (fault tests); `restart()` brings it back. */
  kill?(): Promise<void>;
  restart?(): Promise<void>;
}

/** What differs between the two distributions when starting one. */
export interface Distribution {
  /** `elasticsearch` or `opensearch`: the cache folder, the zip's folder prefix and the binary's name. */
  name: string;
  label: string;
  version: string;
  artifact: string;
  /** The environment variables' prefix: ES_JAVA_HOME / OPENSEARCH_JAVA_HOME and the rest. */
  envPrefix: string;
  /** Settings switching security off (the zips that have a security module start with it on). */
  insecure: string[];
}

/** `extraArgs` replace `insecure` (the secured Elasticsearch of the auth tests); `setup` runs the distribution's tools first. */
export async function startNode(
  dist: Distribution,
  opts: { extraArgs?: string[]; setup?: (run: (tool: string, args: string[]) => void) => void; auth?: string } = {},
): Promise<ClusterNode> {
  const home = ensureDistribution(dist);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `feeder-${dist.name}-`));
  // Each node gets its own copy of the configuration (keystore, users).
  const confDir = path.join(dataDir, 'config');
  fs.cpSync(path.join(home, 'config'), confDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    ensureUser();
    execFileSync('chown', ['-R', `${RUN_AS}:${RUN_AS}`, dataDir, home]);
  }
  const httpPort = await freePort();
  const transportPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}`;
  // Its own cluster name: the health check proves it reached this node, not another engine's.
  const clusterName = `feeder-${dist.name}-${httpPort}`;
  const args = [
    `-Ediscovery.type=single-node`,
    ...(opts.extraArgs ?? dist.insecure),
    `-Enetwork.host=127.0.0.1`,
    `-Ehttp.port=${httpPort}`,
    `-Etransport.port=${transportPort}`,
    `-Epath.data=${path.join(dataDir, 'data')}`,
    `-Epath.logs=${path.join(dataDir, 'logs')}`,
    `-Ecluster.routing.allocation.disk.threshold_enabled=false`,
    `-Ecluster.name=${clusterName}`,
    `-Eaction.destructive_requires_name=false`,
  ];
  const p = dist.envPrefix;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    [`${p}_JAVA_HOME`]: javaHome(p),
    [`${p}_JAVA_OPTS`]: process.env[`${p}_JAVA_OPTS`] ?? '-Xms512m -Xmx512m',
    [`${p}_PATH_CONF`]: confDir,
    HOME: dataDir,
  };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const run = (file: string, runArgs: string[], stdio: 'ignore' | 'pipe' = 'ignore') =>
    asRoot ? execFileSync('runuser', ['-u', RUN_AS, '--', 'env', ...envArgs, file, ...runArgs], { stdio }) : execFileSync(file, runArgs, { env, stdio });
  opts.setup?.((tool, toolArgs) => void run(path.join(home, 'bin', tool), toolArgs));
  let child: ChildProcess | null = null;
  let output = '';
  const launch = async () => {
    const bin = path.join(home, 'bin', dist.name);
    child = asRoot
      ? spawn('runuser', ['-u', RUN_AS, '--', 'env', ...envArgs, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForHealth(dist.label, url, clusterName, child, () => output, opts.auth);
  };
  await launch();
  return {
    url,
    ...engineLifecycle({
      current: () => child,
      launch,
      dataDir,
      // runuser forwards signals to the engine; SIGKILL must reach the JVM itself.
      beforeKill: () => void (asRoot && execFileSync('pkill', ['-KILL', '-u', RUN_AS, '-f', `http.port=${httpPort}`])),
    }),
  };
}

function ensureDistribution(dist: Distribution): string {
  const cache = path.join(repoRoot(), '.cache', dist.name);
  const folder = `${dist.name}-${dist.version}`;
  const home = path.join(cache, folder);
  if (fs.existsSync(path.join(home, 'bin', dist.name))) return home;
  fs.mkdirSync(cache, { recursive: true });
  const zip = path.join(cache, `${folder}.zip`);
  if (!fs.existsSync(zip)) {
    execFileSync('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${dist.artifact}`, `-DoutputDirectory=${cache}`], { stdio: 'inherit' });
  }
  const staging = fs.mkdtempSync(path.join(cache, 'unpack-'));
  try {
    execFileSync('unzip', ['-q', zip, '-d', staging]);
  } catch {
    // No unzip: the JDK's jar tool unpacks zips too (without modes, restored below).
    execFileSync('jar', ['xf', zip], { cwd: staging });
    execFileSync('chmod', ['-R', 'u+x,g+x,o+x', path.join(staging, folder, 'bin')]);
  }
  fs.renameSync(path.join(staging, folder), home);
  fs.rmSync(staging, { recursive: true, force: true });
  return home;
}

function ensureUser(): void {
  try {
    execFileSync('id', ['-u', RUN_AS], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]);
  }
}

/** A JDK the chosen version accepts: <PREFIX>_JAVA_HOME if set, else the machine's default java (17+). */
function javaHome(prefix: string): string {
  const set = process.env[`${prefix}_JAVA_HOME`];
  if (set) return set;
  const java = fs.realpathSync(execFileSync('which', ['java']).toString().trim());
  return path.dirname(path.dirname(java));
}

async function waitForHealth(
  label: string,
  url: string,
  clusterName: string,
  child: ChildProcess,
  output: () => string,
  auth?: string,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}:\n${output().slice(-4000)}`);
    try {
      const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, {
        signal: AbortSignal.timeout(5000),
        headers: auth ? { authorization: auth } : {},
      });
      if (res.ok && ((await res.json()) as { cluster_name?: string }).cluster_name === clusterName) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${label} not healthy after ${timeoutMs} ms:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
