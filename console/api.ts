/*
 * What the console reads and sends. GET /status is the server's `ServiceStatus`, imported as a type;
 * the preview answers are the Commerce routes' shapes, written here as the page reads them.
 */

// The server's own types (erased in the bundle): the page reads what the server writes.
import type { ServiceStatus } from '../src/service/status';
export type { RunProgress } from '../src/service/activity';
export type { RunRow } from '../src/service/status';
export type Status = ServiceStatus;

export interface Choice {
  label: string;
  value: string;
  quantity: number;
  is_selected: boolean;
}

export interface Facet {
  name: string;
  key: string;
  search_key: string;
  widget_type: string;
  data: { choices: Choice[] };
}

export interface Product {
  pk: number;
  name: string;
  price: string | null;
  retail_price: string | null;
  absolute_url: string;
  productimage_set: { image: string }[];
}

export interface Listing {
  search_text: string | null;
  pagination: { total_count: number; current_page: number; num_pages: number; page_size: number };
  facets: Facet[];
  sorters: { label: string; value: string; is_selected: boolean }[];
  products: Product[];
}

export interface Suggestions {
  groups: { suggestion_type: 'Category' | 'Product'; entries: { label: string; url: string; extra: Record<string, unknown> }[] }[];
}

export interface Explain {
  ms: number;
  searches: { query: Record<string, unknown>; ms: number; engine: { engine: string; request: unknown; ms: number }[] }[];
}

export interface Preview<T> {
  response: T;
  explain: Explain | null;
}

/** An answer that is not 2xx: its status and the server's `error`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new HttpError(res.status, body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export function getStatus(): Promise<Status> {
  return fetch('/status', { headers: { accept: 'application/json' } }).then((r) => json<Status>(r));
}

/** GET a preview route (`list`, `autocomplete`) in a language, with `explain=1` when asked. */
export function preview<T>(route: string, params: URLSearchParams, language: string, signal?: AbortSignal): Promise<Preview<T>> {
  return fetch(`/preview/${route}/?${params.toString()}`, { headers: { accept: 'application/json', 'accept-language': language }, signal }).then((r) =>
    json<Preview<T>>(r),
  );
}

/** An admin action with the bearer token (sent in a header, never in a URL). */
export function act(path: string, token: string): Promise<{ started?: string; removed?: number }> {
  return fetch(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }).then((r) =>
    json<{ started?: string; removed?: number }>(r),
  );
}
