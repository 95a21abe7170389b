import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The lifecycle of an engine process a test started (Elasticsearch, Meilisearch): `stop()` ends it
 * and removes its data directory; `kill()` ends it hard keeping its data (fault tests), and
 * `restart()` launches it again on the same data.
 */
export function engineLifecycle(opts: {
  current: () => ChildProcess | null;
  launch: () => Promise<void>;
  dataDir: string;
  /** Runs before a SIGKILL (a wrapper such as runuser does not forward it). */
  beforeKill?: () => void;
}): { stop(): Promise<void>; kill(): Promise<void>; restart(): Promise<void> } {
  const stopChild = async (signal: NodeJS.Signals) => {
    const c = opts.current();
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    if (signal === 'SIGKILL') opts.beforeKill?.();
    c.kill(signal);
    await exited;
  };
  return {
    async stop() {
      await stopChild('SIGTERM');
      fs.rmSync(opts.dataDir, { recursive: true, force: true });
    },
    kill: () => stopChild('SIGKILL'),
    restart: () => opts.launch(),
  };
}

/** Ports handed out by this process: engines started side by side must never get the same one. */
const handedOut = new Set<number>();

/** A free loopback port (for an engine the tests start), never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** The repository's root, found upwards from here: the tests run from sources, the benchmarks from dist-bench/. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'mappings'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`the repository root is not above ${__dirname}`);
  }
}
