/*
 * A real Elasticsearch for tests and benchmarks, shared by both.
 *
 * With ES_URL set, that cluster is used as it is. Otherwise the runnable test distribution that
 * Maven Central publishes (org.elasticsearch.distribution.integ-test-zip:elasticsearch, packaging
 * zip: the server, its transport module and x-pack core/security, no bundled JDK, no
 * analysis-common) is fetched once with `mvn dependency:copy` into .cache/elasticsearch (ignored by
 * git), unpacked, and started on free loopback ports: single node, security off, a small heap,
 * disk thresholds off, as a non-root user (Elasticsearch refuses to run as root).
 *
 * Version: 8.19.21 with client 8.19 — Maven Central serves no 9.x integ-test-zip (only 8.19.x), and
 * the client's major must match the server's. 8.19 runs on the machine's default Java 17.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { engineLifecycle } from './engine-process';

export const ES_VERSION = '8.19.21';
const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, '.cache', 'elasticsearch');
const RUN_AS = 'esfeeder';

export interface EsNode {
  url: string;
  /** Stops the node (no-op for an ES_URL cluster). */
  stop(): Promise<void>;
  /** Stops the node's process hard, keeping its data (fault tests); `restart()` brings it back. */
  kill?(): Promise<void>;
  restart?(): Promise<void>;
}

/**
 * `secured`: security on (HTTP without TLS), with this file-realm superuser — for the auth tests.
 * Always a node of our own, even when ES_URL is set.
 */
export async function startElasticsearch(opts: { secured?: { username: string; password: string } } = {}): Promise<EsNode> {
  if (process.env.ES_URL && !opts.secured) return { url: process.env.ES_URL, stop: async () => undefined };
  const home = ensureDistribution();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-es-'));
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
  const args = [
    `-Ediscovery.type=single-node`,
    `-Expack.security.enabled=false`,
    `-Enetwork.host=127.0.0.1`,
    `-Ehttp.port=${httpPort}`,
    `-Etransport.port=${transportPort}`,
    `-Epath.data=${path.join(dataDir, 'data')}`,
    `-Epath.logs=${path.join(dataDir, 'logs')}`,
    `-Ecluster.routing.allocation.disk.threshold_enabled=false`,
    `-Ecluster.name=feeder-test`,
    `-Eaction.destructive_requires_name=false`,
  ];
  if (opts.secured) {
    args.splice(1, 1, '-Expack.security.enabled=true', '-Expack.security.http.ssl.enabled=false', '-Expack.security.transport.ssl.enabled=false');
  }
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ES_JAVA_HOME: javaHome(),
    ES_JAVA_OPTS: process.env.ES_JAVA_OPTS ?? '-Xms512m -Xmx512m',
    ES_PATH_CONF: confDir,
    HOME: dataDir,
  };
  if (opts.secured) {
    const tool = path.join(home, 'bin', 'elasticsearch-users');
    const userArgs = ['useradd', opts.secured.username, '-p', opts.secured.password, '-r', 'superuser'];
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    if (asRoot) execFileSync('runuser', ['-u', RUN_AS, '--', 'env', ...envArgs, tool, ...userArgs], { stdio: 'ignore' });
    else execFileSync(tool, userArgs, { env, stdio: 'ignore' });
  }
  const auth = opts.secured ? `Basic ${Buffer.from(`${opts.secured.username}:${opts.secured.password}`).toString('base64')}` : undefined;
  let child: ChildProcess | null = null;
  let output = '';
  const launch = async () => {
    const bin = path.join(home, 'bin', 'elasticsearch');
    child = asRoot
      ? spawn('runuser', ['-u', RUN_AS, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForHealth(url, child, () => output, auth);
  };
  await launch();
  return {
    url,
    ...engineLifecycle({
      current: () => child,
      launch,
      dataDir,
      // runuser forwards signals to Elasticsearch; SIGKILL must reach the JVM itself.
      beforeKill: () => void (asRoot && execFileSync('pkill', ['-KILL', '-u', RUN_AS, '-f', `http.port=${httpPort}`])),
    }),
  };
}

function ensureDistribution(): string {
  const home = path.join(CACHE, `elasticsearch-${ES_VERSION}`);
  if (fs.existsSync(path.join(home, 'bin', 'elasticsearch'))) return home;
  fs.mkdirSync(CACHE, { recursive: true });
  const zip = path.join(CACHE, `elasticsearch-${ES_VERSION}.zip`);
  if (!fs.existsSync(zip)) {
    execFileSync(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip`, `-DoutputDirectory=${CACHE}`],
      { stdio: 'inherit' },
    );
  }
  const staging = fs.mkdtempSync(path.join(CACHE, 'unpack-'));
  try {
    execFileSync('unzip', ['-q', zip, '-d', staging]);
  } catch {
    // No unzip: the JDK's jar tool unpacks zips too (without modes, restored below).
    execFileSync('jar', ['xf', zip], { cwd: staging });
    execFileSync('chmod', ['-R', 'u+x,g+x,o+x', path.join(staging, `elasticsearch-${ES_VERSION}`, 'bin')]);
  }
  fs.renameSync(path.join(staging, `elasticsearch-${ES_VERSION}`), home);
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

/** A JDK the chosen version accepts: ES_JAVA_HOME if set, else the machine's default java (17+). */
function javaHome(): string {
  if (process.env.ES_JAVA_HOME) return process.env.ES_JAVA_HOME;
  const java = fs.realpathSync(execFileSync('which', ['java']).toString().trim());
  return path.dirname(path.dirname(java));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, auth?: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Elasticsearch exited with ${child.exitCode}:\n${output().slice(-4000)}`);
    try {
      const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, {
        signal: AbortSignal.timeout(5000),
        headers: auth ? { authorization: auth } : {},
      });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`Elasticsearch not healthy after ${timeoutMs} ms:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
