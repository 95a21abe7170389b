import type http from 'node:http';
import type { Logger } from '../service/logger';
import type { SearchApi } from './api';
import { BadRequest } from './params';

/*
 * The search API over HTTP: GET /search and GET /autocomplete, with CORS for the configured
 * origins and cache headers. A bad parameter is a 400 naming it; an engine that fails is a 503
 * whose details go to the log, not to the storefront.
 */

export type SearchEndpoint = 'search' | 'autocomplete';

export interface SearchHttpOptions {
  /** Origins allowed by CORS (`*` for any); none when unset. */
  corsOrigins?: readonly string[];
  /** Cache-Control max-age of a 200; 0 sends no-store. */
  cacheSeconds: number;
}

export function searchEndpoint(path: string): SearchEndpoint | null {
  return path === '/search' ? 'search' : path === '/autocomplete' ? 'autocomplete' : null;
}

/** Answers one search API request; returns the status sent. */
export async function answerSearch(
  api: SearchApi,
  endpoint: SearchEndpoint,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: SearchHttpOptions,
  log: Logger,
): Promise<number> {
  const headers: Record<string, string> = { ...corsHeaders(req.headers.origin, opts.corsOrigins) };
  const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = body === null ? '' : JSON.stringify(body);
    res.writeHead(status, { ...headers, ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...extra });
    res.end(text);
    return status;
  };
  if (req.method === 'OPTIONS') {
    return send(204, null, headers['access-control-allow-origin'] ? { 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-max-age': '600' } : {});
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'only GET is allowed' }, { allow: 'GET, OPTIONS', 'cache-control': 'no-store' });
  let params: URLSearchParams;
  try {
    params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  } catch {
    return send(400, { error: 'the query string cannot be read' }, { 'cache-control': 'no-store' });
  }
  try {
    const body = endpoint === 'search' ? await api.search(params) : await api.autocomplete(params);
    const cache = opts.cacheSeconds > 0 ? `public, max-age=${opts.cacheSeconds}` : 'no-store';
    return send(200, body, { 'cache-control': cache });
  } catch (err) {
    if (err instanceof BadRequest) return send(400, { error: err.message, param: err.param }, { 'cache-control': 'no-store' });
    log.error({ endpoint, err: (err as Error).message }, `${endpoint} failed: the search engine did not answer`);
    return send(503, { error: 'search is unavailable: the search engine did not answer' }, { 'cache-control': 'no-store', 'retry-after': '5' });
  }
}

/** CORS headers for an allowed origin (none for another: the browser refuses the answer). */
function corsHeaders(origin: string | undefined, allowed: readonly string[] | undefined): Record<string, string> {
  if (!allowed?.length) return {};
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*' };
  const vary = { vary: 'Origin' };
  if (!origin || !allowed.includes(origin)) return vary;
  return { ...vary, 'access-control-allow-origin': origin };
}
