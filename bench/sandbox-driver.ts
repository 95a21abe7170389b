import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Edit } from './freshness';
import { NODE_ENV_DEFAULTS } from '../src/platform/node-flags';
import type { SandboxReply, SandboxRequest } from './protocol';

/** The sandbox in a process of its own (bench/sandbox-process.ts), driven over the fork IPC channel. */
export class SandboxProcess {
  private waiting: ((msg: SandboxReply) => void)[] = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly channelId: string,
    readonly token: string,
    readonly rows: Record<string, number>,
  ) {
    child.on('message', (msg: SandboxReply) => this.waiting.shift()?.(msg));
  }

  /** A sandbox of `products` products (seed 42), answering every request `latencyMs` late. */
  static async start(products: number, latencyMs = 0): Promise<SandboxProcess> {
    const child = fork(path.join(__dirname, 'sandbox-process.js'), [String(products), '42', String(latencyMs)], {
      execArgv: ['--max-old-space-size=16384'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<Extract<SandboxReply, { type: 'ready' }>>((resolve, reject) => {
      child.once('message', (msg: SandboxReply) => (msg.type === 'ready' ? resolve(msg) : reject(new Error(`sandbox said ${msg.type}`))));
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    });
    return new SandboxProcess(child, ready.url, ready.channelId, ready.token, ready.rows);
  }

  /**
   * The environment of a feeder (or a reference) reading this sandbox as fast as it answers (no rate
   * cap, 4 requests in flight, pages of 100), with its state in `dir`; an empty value in `extra`
   * removes the setting, so the feeder's default applies.
   */
  feederEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AKINON_URL: this.url,
      AKINON_CHANNEL_ID: this.channelId,
      AKINON_TOKEN: this.token,
      AKINON_RATE_LIMIT: '0',
      AKINON_CONCURRENCY: '4',
      AKINON_PAGE_SIZE: '100',
      STATE_PATH: path.join(dir, 'state.db'),
      LOG_LEVEL: 'warn',
      ...NODE_ENV_DEFAULTS,
      ...extra,
    };
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
    return env;
  }

  private ask(req: SandboxRequest): Promise<SandboxReply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(req);
    });
  }
  async served(): Promise<{ total: number; served: Record<string, number> }> {
    const r = await this.ask({ type: 'served' });
    if (r.type !== 'served') throw new Error('unexpected reply');
    return r;
  }
  async resetServed(): Promise<void> {
    await this.ask({ type: 'reset-served' });
  }
  async edit(count: number): Promise<number[]> {
    const r = await this.ask({ type: 'edit', count });
    if (r.type !== 'edited') throw new Error('unexpected reply');
    return r.products;
  }
  async editOne(n: number, kind: 'price' | 'name'): Promise<Edit> {
    const r = await this.ask({ type: 'edit-one', n, kind });
    if (r.type !== 'edited-one') throw new Error('unexpected reply');
    return { product: r.product, field: r.field, value: r.value };
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies SandboxRequest);
    await exited;
  }
}
