/*
 * What the console reads and sends. The shapes are the server's own (GET /status is
 * ServiceStatus, the preview answers are the Commerce routes' shapes), written here as the page
 * reads them: the page is built apart from the server.
 */

export interface RunProgress {
  kind: string;
  why: string;
  startedAt: string;
  phase: string;
  rowsCrawled: number;
  rowsTotal: number | null;
  documents: number;
  documentsTotal: number | null;
}

export interface RunRow {
  id: number;
  kind: string;
  outcome: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  written: number | null;
  deleted: number | null;
  quarantined: number | null;
  error: string | null;
  code: string | null;
}

export interface Status {
  ok: boolean;
  reason: string | null;
  lagSeconds: number | null;
  maxLagSeconds: number;
  startedAt: string;
  running: string | null;
  progress: RunProgress | null;
  lagHistory: [number, number | null][];
  pending: number;
  sink: {
    engine: string;
    reachable: boolean;
    error: string | null;
    documents: { products: number; categories: number } | null;
    shape: { live: string | null; configured: string } | null;
  };
  runs: RunRow[];
  quarantine: { count: number; records: { resource: string; key: string; reason: string; attempts: number; firstSeen: string; lastSeen: string }[] };
  refusedRebuild: { at: string; reason: string } | null;
  admin: boolean;
  search: { enabled: boolean; languages: string[]; sandboxImageOrigin: string | null };
}

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
