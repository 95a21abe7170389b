import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Edit } from './freshness';
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
