import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import type { Logger } from 'pino';
import type { FeederMetrics } from './metrics';
import type { ServiceStatus } from './status';
import type { Activity } from './activity';
import { NotLive, type SearchApi } from '../search/api';
import { autocompleteResponse, categoryPage, listPage, type CommerceHeaders, type CommerceOptions } from '../search/commerce';
import { BadRequest } from '../search/params';

/*
 * `serve`'s HTTP surface on Fastify: declared routes (HEAD with GET, JSON 404 and 405), CORS on the
 * search routes only, one error shape, and each request timed into
 * `feeder_http_request_duration_seconds{endpoint,status}` and logged by its path, never its query
 * string (what shoppers type stays out of logs).
 */

/** What a listener answers: everything (one port), the operator's endpoints (PORT beside SEARCH_PORT), or the search API (SEARCH_PORT). */
export type Serves = 'all' | 'operator' | 'search';

export interface OperatorHandlers {
  /** GET /healthz: the status and the report. */
  health(): { status: number; body: unknown };
  /** GET /metrics: the Prometheus text. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** POST /sync, /rebuild and /quarantine/retry, the bearer token already checked: 202 started, or 409 busy. */
  run(kind: 'sync' | 'rebuild' | 'quarantine-retry', query: URLSearchParams): { status: number; body: unknown };
  /** POST /quarantine/purge, the token checked: forgets quarantined records (all, or of one resource). */
  purgeQuarantine(resource: string | undefined): { removed: number };
  /** GET /status: everything the console shows. */
  status(): Promise<ServiceStatus>;
  /** What GET /events streams. */
  activity: Activity;
  /** ADMIN_TOKEN; unset disables the admin endpoints (404). */
  adminToken?: string;
  /** Whether a bearer token matches (constant time). */
  tokenMatches(header: string | undefined): boolean;
}

export interface HttpOptions {
  metrics: FeederMetrics;
  log: Logger;
  operator: OperatorHandlers;
  /** The storefront search API (null with a sink that cannot search). */
  search: SearchApi | null;
  /** Origins allowed by CORS (`*` for any); none when unset. */
  corsOrigins?: readonly string[];
  /** What the Commerce routes' products say of their prices. */
  commerce: CommerceOptions;
  /** Cache-Control max-age of a search 200; 0 sends no-store. */
  cacheSeconds: number;
}

/**
 * The limits of every listener (docs/SEARCH-API.md, "Limits"): 10 s to send the headers, 30 s for
 * the whole request, idle keep-alive connections closed after 5 s, at most MAX_CONNECTIONS open,
 * 16 KB of request line and headers (Node's default; beyond it a JSON 431), 1 KB of body.
 */
const MAX_CONNECTIONS = 1024;
const LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, bodyLimit: 1024 };

/** Methods a route does not answer: 405 with `Allow`. */
const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH'] as const;

type Config = { endpoint: string };

export function buildHttpApp(serves: Serves, opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    // The Commerce client asks `/list/`; both spellings of every route answer.
    routerOptions: { ignoreTrailingSlash: true },
    requestTimeout: LIMITS.requestTimeout,
    keepAliveTimeout: LIMITS.keepAliveTimeout,
    bodyLimit: LIMITS.bodyLimit,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
  });
  app.server.headersTimeout = LIMITS.headersTimeout;
  app.server.maxConnections = MAX_CONNECTIONS;

  app.addHook('onResponse', async (req, reply) => {
    const endpoint = (req.routeOptions.config as Partial<Config>).endpoint ?? 'other';
    const seconds = reply.elapsedTime / 1000;
    opts.metrics.http.observe({ endpoint, status: String(reply.statusCode) }, seconds);
    const path = req.url.split('?')[0];
    const line = {
      method: req.method,
      path: endpoint === 'other' ? undefined : path,
      endpoint,
      status: reply.statusCode,
      ms: Math.round(seconds * 10_000) / 10,
    };
    if (SEARCH_ENDPOINTS.has(endpoint)) opts.log.info(line, 'request');
    else opts.log.debug(line, 'request');
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    // Fastify's own 4xx (an unreadable body, a bad content type) keep their status; anything else
    // is ours to log, and the caller learns only that it failed.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    opts.log.error({ path: req.url.split('?')[0], err: err.message }, 'request failed');
    return reply.code(500).send({ error: 'internal error; see the feeder log' });
  });

  if (serves !== 'search') operatorRoutes(app, opts);
  if (serves !== 'operator' && opts.search) void app.register((scope, _o, done) => searchRoutes(scope, opts, opts.search!, done));
  return app;
}

type SearchEndpoint = 'search' | 'list' | 'category' | 'autocomplete';
const SEARCH_ENDPOINTS = new Set<string>(['search', 'list', 'category', 'autocomplete']);

function operatorRoutes(app: FastifyInstance, opts: HttpOptions): void {
  const { operator } = opts;
  app.get('/healthz', { config: { endpoint: 'healthz' } }, async (_req, reply) => {
    const { status, body } = operator.health();
    return reply.code(status).send(body);
  });
  app.get('/metrics', { config: { endpoint: 'metrics' } }, async (_req, reply) => {
    const { contentType, body } = await operator.metrics();
    return reply.type(contentType).send(body);
  });
  app.get('/status', { config: { endpoint: 'status' } }, async (_req, reply) => reply.header('cache-control', 'no-store').send(await operator.status()));
  app.get('/events', { config: { endpoint: 'events' } }, (_req, reply) => streamEvents(reply, opts));
  notAllowed(app, ['/healthz', '/metrics', '/status', '/events'], 'GET, HEAD');
  const admin: [string, string, (req: FastifyRequest) => { status: number; body: unknown }][] = [
    ['/sync', 'sync', (req) => operator.run('sync', queryOf(req))],
    ['/rebuild', 'rebuild', (req) => operator.run('rebuild', queryOf(req))],
    ['/quarantine/retry', 'quarantine-retry', (req) => operator.run('quarantine-retry', queryOf(req))],
    ['/quarantine/purge', 'quarantine-purge', (req) => ({ status: 200, body: operator.purgeQuarantine(queryOf(req).get('resource') || undefined) })],
  ];
  for (const [url, endpoint, handle] of admin) {
    app.post(url, { config: { endpoint } }, async (req, reply) => {
      if (!operator.adminToken) return reply.code(404).send({ error: 'admin endpoints are disabled (ADMIN_TOKEN is not set)' });
      if (!operator.tokenMatches(req.headers.authorization)) {
        // Never the token given: who asked, and how often (an alert on the counter finds a guesser).
        opts.metrics.adminRefused.inc({ endpoint });
        opts.log.warn({ endpoint, remote: req.ip, scheme: schemeOf(req.headers.authorization) }, 'admin request refused: missing or wrong bearer token');
        return reply.code(401).send({ error: 'missing or wrong bearer token' });
      }
      const { status, body } = handle(req);
      return reply.code(status).send(body);
    });
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url,
      handler: (_req, reply) => reply.code(405).header('allow', 'POST').send({ error: 'only POST is allowed' }),
    });
  }
}

/** Event streams open at once; beyond it a 503 (each holds a connection and a timer). */
const MAX_EVENT_STREAMS = 32;
/** How often a stream gets the whole status again (the lag moves even when nothing runs). */
const STATUS_EVERY_MS = 10_000;
let eventStreams = 0;

/**
 * GET /events: server-sent events. `status` (what GET /status answers) on connect, after each run
 * and every 10 s; `progress` as a run advances (at most four a second), and `null` when it ends.
 */
function streamEvents(reply: FastifyReply, opts: HttpOptions): void {
  if (eventStreams >= MAX_EVENT_STREAMS) {
    void reply
      .code(503)
      .header('retry-after', '10')
      .send({ error: `at most ${MAX_EVENT_STREAMS} event streams at once` });
    return;
  }
  eventStreams++;
  const { operator } = opts;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  const send = (event: string, data: unknown) => {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sendStatus = () =>
    operator.status().then(
      (s) => send('status', s),
      (err: Error) => opts.log.error({ err: err.message }, 'the status could not be read for an event stream'),
    );
  const onProgress = (p: unknown) => send('progress', p);
  const onFinished = () => void sendStatus();
  operator.activity.on('progress', onProgress);
  operator.activity.on('finished', onFinished);
  const timer = setInterval(() => void sendStatus(), STATUS_EVERY_MS);
  res.write('retry: 3000\n\n');
  void sendStatus();
  res.once('close', () => {
    eventStreams--;
    clearInterval(timer);
    operator.activity.off('progress', onProgress);
    operator.activity.off('finished', onFinished);
  });
}

function searchRoutes(scope: FastifyInstance, opts: HttpOptions, api: SearchApi, done: (err?: Error) => void): void {
  const origins = opts.corsOrigins ?? [];
  void scope.register(cors, {
    origin: origins.includes('*') ? '*' : origins.length ? [...origins] : false,
    methods: ['GET', 'HEAD', 'OPTIONS'],
    // What storefront clients send with a search (Project Zero sends the language and the currency).
    allowedHeaders: ['Accept', 'Accept-Language', 'Content-Type', 'x-currency'],
    maxAge: 600,
  });
  const routes = searchHandlers(api, opts);
  for (const [url, endpoint, run] of routes) {
    scope.get(url, { config: { endpoint } }, async (req, reply) => {
      // Answers differ by language: a shared cache must keep one per Accept-Language.
      if (endpoint !== 'search') {
        const vary = reply.getHeader('vary');
        void reply.header('vary', vary ? `${String(vary)}, Accept-Language` : 'Accept-Language');
      }
      return answerSearch(req, reply, endpoint, opts, (params) => run(req, params));
    });
  }
  notAllowed(
    scope,
    routes.map(([url]) => url),
    'GET, HEAD, OPTIONS',
  );
  done();
}

export type SearchHandler = [url: string, endpoint: SearchEndpoint, run: (req: FastifyRequest, params: URLSearchParams) => Promise<unknown>];

/** The search routes: our own `/search`, and the Commerce routes a Project Zero storefront calls. */
export function searchHandlers(api: SearchApi, opts: Pick<HttpOptions, 'commerce'>): SearchHandler[] {
  const { commerce } = opts;
  const headersOf = (req: FastifyRequest): CommerceHeaders => ({
    'accept-language': header(req, 'accept-language'),
    'x-currency': header(req, 'x-currency'),
  });
  return [
    ['/search', 'search', (_req, p) => api.search(p)],
    ['/list', 'list', (req, p) => listPage(api, p, headersOf(req), commerce)],
    [
      '/category/:pk',
      'category',
      (req, p) => {
        const pk = (req.params as { pk: string }).pk;
        return /^\d{1,15}$/.test(pk) ? categoryPage(api, Number(pk), p, headersOf(req), commerce) : Promise.resolve(null);
      },
    ],
    ['/autocomplete', 'autocomplete', (req, p) => autocompleteResponse(api, p, headersOf(req), commerce)],
  ];
}

/**
 * A search answered: 200 with the body (cached for SEARCH_CACHE_SECONDS), 404 for an unknown
 * category, 400 naming a bad parameter, 503 with Retry-After while no index is live or the engine
 * does not answer (logged).
 */
export async function answerSearch(
  req: FastifyRequest,
  reply: FastifyReply,
  endpoint: string,
  opts: Pick<HttpOptions, 'log' | 'cacheSeconds'>,
  run: (params: URLSearchParams) => Promise<unknown>,
): Promise<FastifyReply> {
  let params: URLSearchParams;
  try {
    params = queryOf(req);
  } catch {
    return reply.code(400).header('cache-control', 'no-store').send({ error: 'the query string cannot be read' });
  }
  try {
    const body = await run(params);
    if (body === null) return reply.code(404).header('cache-control', 'no-store').send({ error: 'no such category' });
    return reply.header('cache-control', opts.cacheSeconds > 0 ? `public, max-age=${opts.cacheSeconds}` : 'no-store').send(body);
  } catch (err) {
    if (err instanceof BadRequest) return reply.code(400).header('cache-control', 'no-store').send({ error: err.message, param: err.param });
    const unavailable = { 'cache-control': 'no-store', 'retry-after': '5' };
    if (err instanceof NotLive) return reply.code(503).headers(unavailable).send({ error: err.message });
    opts.log.error({ endpoint, err: (err as Error).message }, `${endpoint} failed: the search engine did not answer`);
    return reply.code(503).headers(unavailable).send({ error: 'search is unavailable: the search engine did not answer' });
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function notAllowed(app: FastifyInstance, urls: string[], allow: string): void {
  for (const url of urls) {
    app.route({
      method: [...OTHER_METHODS],
      url,
      handler: (_req, reply) =>
        reply
          .code(405)
          .headers({ allow, 'cache-control': 'no-store' })
          .send({ error: `only ${allow.split(', ')[0]} is allowed` }),
    });
  }
}

export function queryOf(req: FastifyRequest): URLSearchParams {
  return new URL(req.url, 'http://localhost').searchParams;
}

/** The scheme of an Authorization header (`Bearer`, `Basic`), or none: never its credentials. */
function schemeOf(header: string | undefined): string | null {
  if (!header) return null;
  return /^([A-Za-z]{1,16})\s/.exec(header)?.[1] ?? 'malformed';
}

/** A request Node could not read: a JSON answer (431 for an oversized request line or headers) instead of Node's bare one. */
function answerClientError(err: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request line and headers exceed 16 KB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'the request could not be read'];
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
