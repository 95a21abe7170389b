import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Catalog, type CatalogOptions } from './catalog';
import { RESOURCE_PATHS, type ResourcePath } from './tables';
import { BadQuery, parseFilters, parseSort, select } from './query';

export type FaultKind = '429' | '500' | '503' | 'slow' | 'truncated' | 'malformed' | 'reset';

export interface FaultOptions {
  /** Share of requests that get a fault (0..1). */
  rate: number;
  kinds: FaultKind[];
  /** Retry-After seconds sent with 429 and 503. */
  retryAfterSeconds?: number;
  /** Delay of a `slow` response, milliseconds. */
  slowMs?: number;
}

export interface SandboxOptions extends Partial<CatalogOptions> {
  token?: string;
  channelId?: string;
  faults?: FaultOptions;
  /** Page size of a server that ignores `limit`/`page_size` (Akinon's default is 10). */
  fixedPageSize?: number;
  maxPageSize?: number;
  /** Base of the absolute `next`/`previous` links (default: this server, without /remote/{channel}/). */
  linkBase?: string;
  /** Milliseconds every answer waits before it is sent: a source across a network (the benchmark's scenario 9). */
  latencyMs?: number;
}

export const SANDBOX_TOKEN = 'sandbox-token';
export const SANDBOX_CHANNEL = '1';

/**
 * The built-in Data Warehouse API (docs/CONTRACT.md §7): token auth, the documented filters, `page` and
 * `limit`/`page_size`, `{count, next, previous, results}` with absolute `next` URLs that, like the
 * vendor's own examples, drop `/remote/{channel_id}/`. Serves a generated catalog that can be
 * mutated while it runs and can inject faults.
 */
export class Sandbox {
  readonly catalog: Catalog;
  readonly token: string;
  readonly channelId: string;
  faults: FaultOptions | null;
  /** Called for every authorized request before it is answered (tests mutate the catalog mid-crawl). */
  onRequest: ((resource: ResourcePath, params: URLSearchParams) => void) | null = null;
  /**
   * Rewrites a page before it is sent (tests: a source answering 200 with an empty page, or with a
   * record whose id sends a keyset cursor past the catalog).
   */
  transformPage: ((resource: ResourcePath, params: URLSearchParams, page: SandboxPage) => SandboxPage) | null = null;
  /** Faults injected so far (tests prove their fault happened). */
  faultsInjected = 0;
  /** Requests served, by resource path (tests read it to count source calls). */
  readonly served = new Map<string, number>();
  private server: http.Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(private readonly opts: SandboxOptions = {}) {
    this.catalog = new Catalog({ products: opts.products ?? 5000, seed: opts.seed ?? 42 });
    this.token = opts.token ?? SANDBOX_TOKEN;
    this.channelId = opts.channelId ?? SANDBOX_CHANNEL;
    this.faults = opts.faults ?? null;
  }

  /** Starts listening; returns the value for AKINON_URL. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    return this.url;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('sandbox is not running');
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  }

  totalServed(): number {
    let n = 0;
    for (const v of this.served.values()) n += v;
    return n;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const latency = this.opts.latencyMs ?? 0;
    if (latency > 0) {
      setTimeout(() => this.answer(req, res), latency);
      return;
    }
    this.answer(req, res);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const prefix = `/api/v1/remote/${this.channelId}/data-warehouse/`;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', date: this.catalog.clock.now().toUTCString(), ...headers });
      res.end(text);
    };
    if (req.method !== 'GET') return send(405, { detail: `Method "${req.method}" not allowed.` });
    if (!url.pathname.startsWith(prefix)) return send(404, { detail: 'Not found.' });
    const resource = url.pathname.slice(prefix.length).replace(/\/+$/, '') as ResourcePath;
    if (!(RESOURCE_PATHS as readonly string[]).includes(resource)) return send(404, { detail: 'Not found.' });

    const auth = req.headers.authorization;
    if (!auth) return send(401, { detail: 'Authentication credentials were not provided.' });
    if (auth !== `Token ${this.token}`) return send(401, { detail: 'Invalid token.' });
    this.served.set(resource, (this.served.get(resource) ?? 0) + 1);
    this.onRequest?.(resource, url.searchParams);

    const fault = this.pickFault();
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === '429' || fault === '500' || fault === '503') {
      const retryAfter = String(this.faults?.retryAfterSeconds ?? 0);
      return send(Number(fault), { detail: fault === '429' ? 'Request was throttled.' : 'Server Error' }, fault === '500' ? {} : { 'retry-after': retryAfter });
    }

    let body: string;
    try {
      const page = this.page(resource, url);
      body = JSON.stringify(this.transformPage ? this.transformPage(resource, url.searchParams, page) : page);
    } catch (err) {
      if (err instanceof BadQuery) return send(400, { detail: err.message });
      if (err instanceof InvalidPage) return send(404, { detail: 'Invalid page.' });
      throw err;
    }
    const headers = { 'content-type': 'application/json', date: this.catalog.clock.now().toUTCString() };
    if (fault === 'slow') {
      setTimeout(() => {
        res.writeHead(200, headers);
        res.end(body);
      }, this.faults?.slowMs ?? 2000).unref();
      return;
    }
    if (fault === 'truncated') {
      res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      setImmediate(() => req.socket.destroy());
      return;
    }
    if (fault === 'malformed') {
      res.writeHead(200, headers);
      res.end(body.slice(0, Math.floor(body.length / 2)));
      return;
    }
    res.writeHead(200, headers);
    res.end(body);
  }

  private pickFault(): FaultKind | null {
    const f = this.faults;
    if (!f || f.rate <= 0 || f.kinds.length === 0) return null;
    if (Math.random() >= f.rate) return null;
    this.faultsInjected++;
    return f.kinds[Math.floor(Math.random() * f.kinds.length)];
  }

  private page(resource: ResourcePath, url: URL): SandboxPage {
    const params = url.searchParams;
    const requested = Number(params.get('limit') ?? params.get('page_size') ?? 10);
    const size = this.opts.fixedPageSize ?? Math.max(1, Math.min(this.opts.maxPageSize ?? 1000, Number.isFinite(requested) ? requested : 10));
    const page = Number(params.get('page') ?? 1);
    if (!Number.isInteger(page) || page < 1) throw new InvalidPage();
    const { count, results } = select(this.catalog.rows(resource), parseFilters(params), parseSort(params.get('sort')), (page - 1) * size, size, (bounds) =>
      this.catalog.modifiedWithin(resource, bounds),
    );
    if (page > 1 && results.length === 0) throw new InvalidPage();
    // Like the vendor's examples: an absolute URL on the public path, without /remote/{channel}/.
    const link = (n: number) => {
      const p = new URLSearchParams(params);
      p.set('page', String(n));
      return `${this.opts.linkBase ?? this.url}/api/v1/data-warehouse/${resource}/?${p.toString()}`;
    };
    return {
      count,
      next: page * size < count ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results,
    };
  }
}

class InvalidPage extends Error {}

/** One page as the Data Warehouse API answers it. */
export interface SandboxPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: Record<string, unknown>[];
}
