/*
 * A contract double of the Meilisearch HTTP API (v1.x), for the parts the sink uses, as the official
 * API reference defines them. Every write is an asynchronous task (202 + taskUid; enqueued ->
 * processing -> succeeded | failed, processed one at a time in uid order); failures carry
 * {message, code, type, link}; document additions are atomic per task (one bad id fails the task);
 * auth is `Authorization: Bearer <key>`; bodies over the payload limit get 413 payload_too_large.
 * Fault switches: slow tasks, failing tasks, 5xx answers, refused connections (stop()).
 *
 * The same suite runs against a real Meilisearch when MEILI_URL is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Doc = Record<string, unknown>;
type TaskStatus = 'enqueued' | 'processing' | 'succeeded' | 'failed';
interface MeiliError {
  message: string;
  code: string;
  type: 'invalid_request' | 'auth' | 'internal' | 'system';
  link: string;
}
interface Task {
  uid: number;
  batchUid: number | null;
  indexUid: string | null;
  status: TaskStatus;
  type: string;
  canceledBy: null;
  details: Record<string, unknown>;
  error: MeiliError | null;
  duration: string | null;
  enqueuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  run: () => void;
}
interface Settings {
  searchableAttributes: string[];
  filterableAttributes: string[];
  sortableAttributes: string[];
  rankingRules: string[];
  displayedAttributes: string[];
  faceting: { maxValuesPerFacet: number; sortFacetValuesBy: Record<string, string> };
  typoTolerance: Record<string, unknown>;
  pagination: { maxTotalHits: number };
}
interface Index {
  uid: string;
  primaryKey: string | null;
  createdAt: string;
  updatedAt: string;
  docs: Map<string, Doc>;
  settings: Settings;
}

const DEFAULT_SETTINGS = (): Settings => ({
  searchableAttributes: ['*'],
  filterableAttributes: [],
  sortableAttributes: [],
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
  displayedAttributes: ['*'],
  faceting: { maxValuesPerFacet: 100, sortFacetValuesBy: { '*': 'alpha' } },
  typoTolerance: { enabled: true },
  pagination: { maxTotalHits: 1000 },
});

export interface DoubleFaults {
  /** Delay before a task starts processing, ms. */
  slowTaskMs?: number;
  /** The next N tasks of these types fail with this code (internal error unless told). */
  failTasks?: { count: number; types?: string[]; code?: string; message?: string };
  /** Share of requests answered 503 (0..1). */
  http5xxRate?: number;
}

export class MeilisearchDouble {
  faults: DoubleFaults = {};
  /** Largest request body received, bytes (payload splitting checks). */
  maxBodyBytes = 0;
  private server: http.Server | null = null;
  private readonly indexes = new Map<string, Index>();
  private readonly tasks: Task[] = [];
  private processing = false;

  constructor(readonly opts: { apiKey: string; payloadLimitBytes?: number } = { apiKey: 'double-master-key' }) {}

  /** Listens (again, on the same port after stop(): the engine's data survives, as a restart would keep it). */
  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const a = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  /** Stops listening: later connections are refused (a fault switch too). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s)
      await new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      });
  }

  // --- HTTP ---------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string, type: MeiliError['type'] = 'invalid_request') => send(status, err(code, message, type).body);
    const limit = this.opts.payloadLimitBytes ?? 100 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > limit) tooLarge = true;
      else chunks.push(c as Buffer);
    }
    this.maxBodyBytes = Math.max(this.maxBodyBytes, size);
    const url = new URL(req.url ?? '/', 'http://double');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';

    if (method === 'GET' && url.pathname === '/health') return send(200, { status: 'available' });
    const auth = req.headers.authorization;
    if (!auth) return fail(401, 'missing_authorization_header', 'The Authorization header is missing. It must use the bearer authorization method.', 'auth');
    if (auth !== `Bearer ${this.opts.apiKey}`) return fail(403, 'invalid_api_key', 'The provided API key is invalid.', 'auth');
    if (this.faults.http5xxRate && Math.random() < this.faults.http5xxRate) return fail(503, 'internal', 'Service unavailable (fault injected).', 'internal');
    if (tooLarge) return fail(413, 'payload_too_large', `The provided payload reached the size limit. The maximum accepted payload size is ${limit} bytes.`);
    let body: unknown = undefined;
    if (size > 0) {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        // NDJSON (one document a line) is read as the engine reads it: as the array of its lines.
        body = /^application\/x-ndjson/.test(req.headers['content-type'] ?? '')
          ? text
              .split('\n')
              .filter((l) => l.trim())
              .map((l) => JSON.parse(l) as unknown)
          : JSON.parse(text);
      } catch {
        return fail(400, 'malformed_payload', 'The json payload provided is malformed.');
      }
    }

    if (method === 'GET' && url.pathname === '/version') return send(200, { pkgVersion: '1.x-double', commitSha: 'double', commitDate: 'unknown' });
    if (parts[0] === 'tasks') {
      if (method === 'GET' && parts.length === 2) {
        const t = this.tasks.find((x) => x.uid === Number(parts[1]));
        return t ? send(200, view(t)) : fail(404, 'task_not_found', `Task \`${parts[1]}\` not found.`);
      }
      if (method === 'GET' && parts.length === 1) return send(200, this.listTasks(url.searchParams));
    }
    if (method === 'POST' && url.pathname === '/swap-indexes') {
      const pairs = body as { indexes: string[] }[];
      if (!Array.isArray(pairs) || pairs.some((p) => !Array.isArray(p?.indexes) || p.indexes.length !== 2)) {
        return fail(400, 'invalid_swap_indexes', 'Each swap needs exactly two index uids.');
      }
      return this.enqueue(res, null, 'indexSwap', { swaps: pairs }, () => {
        for (const { indexes } of pairs) for (const uid of indexes) if (!this.indexes.has(uid)) throw err('index_not_found', `Index \`${uid}\` not found.`);
        for (const {
          indexes: [a, b],
        } of pairs) {
          const ia = this.indexes.get(a)!;
          const ib = this.indexes.get(b)!;
          this.indexes.set(a, { ...ib, uid: a });
          this.indexes.set(b, { ...ia, uid: b });
        }
      });
    }
    if (parts[0] !== 'indexes') return fail(404, 'not_found', 'Not found.');
    if (parts.length === 1) {
      if (method === 'POST') {
        const { uid, primaryKey } = (body ?? {}) as { uid?: string; primaryKey?: string };
        if (!uid || !/^[A-Za-z0-9_-]{1,400}$/.test(uid)) return fail(400, 'invalid_index_uid', `\`${uid}\` is not a valid index uid.`);
        return this.enqueue(res, uid, 'indexCreation', { primaryKey: primaryKey ?? null }, () => {
          if (this.indexes.has(uid)) throw err('index_already_exists', `Index \`${uid}\` already exists.`);
          this.indexes.set(uid, newIndex(uid, primaryKey ?? null));
        });
      }
      if (method === 'GET') {
        const results = [...this.indexes.values()].map(indexView);
        return send(200, { results, offset: 0, limit: 20, total: results.length });
      }
    }
    const uid = parts[1];
    const sub = parts.slice(2).join('/');
    const index = this.indexes.get(uid);
    if (sub === '') {
      if (method === 'GET') return index ? send(200, indexView(index)) : fail(404, 'index_not_found', `Index \`${uid}\` not found.`);
      if (method === 'DELETE')
        return this.enqueue(res, uid, 'indexDeletion', { deletedDocuments: index?.docs.size ?? 0 }, () => {
          if (!this.indexes.delete(uid)) throw err('index_not_found', `Index \`${uid}\` not found.`);
        });
    }
    if (sub === 'stats' && method === 'GET') {
      return index
        ? send(200, { numberOfDocuments: index.docs.size, isIndexing: this.processing })
        : fail(404, 'index_not_found', `Index \`${uid}\` not found.`);
    }
    if (sub === 'settings' && method === 'GET') return index ? send(200, index.settings) : fail(404, 'index_not_found', `Index \`${uid}\` not found.`);
    if (sub === 'settings' && method === 'PATCH') {
      const patch = (body ?? {}) as Partial<Settings>;
      const known = Object.keys(DEFAULT_SETTINGS());
      const unknown = Object.keys(patch).find((k) => !known.includes(k));
      if (unknown) return fail(400, 'bad_request', `Unknown field \`${unknown}\`: expected one of ${known.join(', ')}`);
      return this.enqueue(res, uid, 'settingsUpdate', patch, () => {
        const idx = this.ensureIndex(uid, null);
        idx.settings = { ...idx.settings, ...patch };
      });
    }
    if (sub === 'documents' && (method === 'POST' || method === 'PUT')) {
      if (!Array.isArray(body)) return fail(400, 'malformed_payload', 'The json payload provided is malformed. `expected a sequence`.');
      const docs = body as Doc[];
      const pk = url.searchParams.get('primaryKey');
      return this.enqueue(res, uid, 'documentAdditionOrUpdate', { receivedDocuments: docs.length, indexedDocuments: null }, (task) => {
        const idx = this.ensureIndex(uid, pk);
        if (pk && idx.primaryKey && idx.primaryKey !== pk)
          throw err('index_primary_key_already_exists', `Index \`${uid}\` already has a primary key: \`${idx.primaryKey}\`.`);
        idx.primaryKey ??= pk ?? (docs.length && 'id' in docs[0] ? 'id' : null);
        const key = idx.primaryKey;
        if (!key)
          throw err(
            'index_primary_key_no_candidate_found',
            'The primary key inference failed as the engine did not find any field ending with `id` in its name. Please specify the primary key manually using the `primaryKey` query parameter.',
          );
        // All or nothing: validate every document before applying any.
        for (const d of docs) {
          if (!(key in d)) throw err('missing_document_id', `Document doesn't have a \`${key}\` attribute: \`${JSON.stringify(d).slice(0, 200)}\`.`);
          const id = d[key];
          if (!((typeof id === 'number' && Number.isInteger(id)) || (typeof id === 'string' && /^[A-Za-z0-9_-]{1,511}$/.test(id)))) {
            throw err(
              'invalid_document_id',
              `Document identifier \`${JSON.stringify(id)}\` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.`,
            );
          }
        }
        for (const d of docs) {
          const id = String(d[key]);
          idx.docs.set(id, method === 'PUT' ? { ...(idx.docs.get(id) ?? {}), ...d } : d);
        }
        task.details.indexedDocuments = docs.length;
      });
    }
    if (sub.startsWith('documents/') && method === 'GET') {
      if (!index) return fail(404, 'index_not_found', `Index \`${uid}\` not found.`);
      const id = decodeURIComponent(sub.slice('documents/'.length));
      const doc = index.docs.get(id);
      return doc ? send(200, doc) : fail(404, 'document_not_found', `Document \`${id}\` not found.`);
    }
    if (sub === 'documents/delete-batch' && method === 'POST') {
      const ids = (body as unknown[]).map(String);
      return this.enqueue(res, uid, 'documentDeletion', { providedIds: ids.length, deletedDocuments: null }, (task) => {
        const idx = this.indexes.get(uid);
        if (!idx) throw err('index_not_found', `Index \`${uid}\` not found.`);
        let n = 0;
        for (const id of ids) if (idx.docs.delete(id)) n++;
        task.details.deletedDocuments = n;
      });
    }
    if (sub === 'documents/fetch' && method === 'POST') {
      if (!index) return fail(404, 'index_not_found', `Index \`${uid}\` not found.`);
      const {
        ids,
        filter,
        limit = 20,
        offset = 0,
      } = (body ?? {}) as { ids?: (string | number)[]; filter?: SearchBody['filter']; limit?: number; offset?: number };
      let docs = [...index.docs.values()];
      try {
        const predicate = compileFilter(filter, index.settings.filterableAttributes);
        docs = docs.filter(predicate);
      } catch (e) {
        return send(400, bodyOf(e));
      }
      if (ids) {
        const want = new Set(ids.map(String));
        docs = docs.filter((d) => want.has(String(d[index.primaryKey!])));
      }
      return send(200, { results: docs.slice(offset, offset + limit), offset, limit, total: docs.length });
    }
    if (sub === 'search' && method === 'POST') {
      if (!index) return fail(404, 'index_not_found', `Index \`${uid}\` not found.`);
      try {
        return send(200, search(index, body ?? {}));
      } catch (e) {
        return send(400, bodyOf(e));
      }
    }
    return fail(404, 'not_found', 'Not found.');
  }

  private ensureIndex(uid: string, pk: string | null): Index {
    let idx = this.indexes.get(uid);
    if (!idx) {
      idx = newIndex(uid, pk);
      this.indexes.set(uid, idx);
    }
    return idx;
  }

  private enqueue(res: http.ServerResponse, indexUid: string | null, type: string, details: Record<string, unknown>, apply: (t: Task) => void): void {
    const task: Task = {
      uid: this.tasks.length,
      batchUid: null,
      indexUid,
      status: 'enqueued',
      type,
      canceledBy: null,
      details,
      error: null,
      duration: null,
      enqueuedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      run: () => apply(task),
    };
    this.tasks.push(task);
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ taskUid: task.uid, indexUid, status: 'enqueued', type, enqueuedAt: task.enqueuedAt }));
    void this.process();
  }

  /** One task at a time, in uid order, after the response that enqueued it. */
  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const task = this.tasks.find((t) => t.status === 'enqueued');
        if (!task) return;
        await new Promise((resolve) => setTimeout(resolve, this.faults.slowTaskMs ?? 0));
        task.status = 'processing';
        task.startedAt = new Date().toISOString();
        task.batchUid = task.uid;
        await new Promise((resolve) => setImmediate(resolve));
        const f = this.faults.failTasks;
        try {
          if (f && f.count > 0 && (!f.types || f.types.includes(task.type))) {
            f.count--;
            throw err(f.code ?? 'internal', f.message ?? 'An internal error has occurred (fault injected).', f.code ? 'invalid_request' : 'internal');
          }
          task.run();
          task.status = 'succeeded';
        } catch (e) {
          task.status = 'failed';
          task.error = bodyOf(e);
        }
        task.finishedAt = new Date().toISOString();
        task.duration = `PT${(Date.parse(task.finishedAt) - Date.parse(task.startedAt)) / 1000}S`;
      }
    } finally {
      this.processing = false;
    }
  }

  private listTasks(params: URLSearchParams) {
    const list = (k: string) => params.get(k)?.split(',').filter(Boolean);
    const uids = list('uids')?.map(Number);
    const statuses = list('statuses');
    const types = list('types');
    const indexUids = list('indexUids');
    const limit = Number(params.get('limit') ?? 20);
    const from = params.has('from') ? Number(params.get('from')) : Infinity;
    const all = this.tasks
      .filter((t) => (!uids || uids.includes(t.uid)) && (!statuses || statuses.includes(t.status)) && (!types || types.includes(t.type)))
      .filter((t) => !indexUids || (t.indexUid !== null && indexUids.includes(t.indexUid)))
      .sort((a, b) => b.uid - a.uid);
    const page = all.filter((t) => t.uid <= from).slice(0, limit);
    const next = all.filter((t) => t.uid <= from)[limit]?.uid ?? null;
    return { results: page.map(view), total: all.length, limit, from: page[0]?.uid ?? null, next };
  }
}

/** An error the engine answers with: thrown inside the double, sent as its `{message, code, type, link}` body. */
class EngineError extends Error {
  constructor(readonly body: MeiliError) {
    super(body.message);
  }
}

function err(code: string, message: string, type: MeiliError['type'] = 'invalid_request'): EngineError {
  return new EngineError({ message, code, type, link: `https://docs.meilisearch.com/errors#${code}` });
}

/** The engine's error body for anything thrown (a bug in the double reads as an internal error). */
function bodyOf(e: unknown): MeiliError {
  return e instanceof EngineError ? e.body : err('internal', String(e), 'internal').body;
}

function view(t: Task): Omit<Task, 'run'> {
  const { run: _run, ...rest } = t;
  return rest;
}

function newIndex(uid: string, primaryKey: string | null): Index {
  const now = new Date().toISOString();
  return { uid, primaryKey, createdAt: now, updatedAt: now, docs: new Map(), settings: DEFAULT_SETTINGS() };
}

function indexView(i: Index) {
  return { uid: i.uid, primaryKey: i.primaryKey, createdAt: i.createdAt, updatedAt: i.updatedAt };
}

// --- search -------------------------------------------------------------------------------------

interface SearchBody {
  q?: string;
  filter?: string | (string | string[])[];
  sort?: string[];
  limit?: number;
  offset?: number;
  hitsPerPage?: number;
  page?: number;
  facets?: string[];
}

function valuesAt(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown, rest: string[]) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, rest));
    if (rest.length === 0) return void out.push(v);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // Meilisearch accepts both nested objects and dotted keys.
      for (let i = rest.length; i > 0; i--) {
        const key = rest.slice(0, i).join('.');
        if (key in o) walk(o[key], rest.slice(i));
      }
    }
  };
  walk(doc, path.split('.'));
  return out.flat(Infinity);
}

const normalize = (s: string) =>
  s
    .toLocaleLowerCase('tr')
    .replace(/ı/g, 'i')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
const words = (s: string) => normalize(s).match(/[\p{L}\p{N}]+/gu) ?? [];

function allowed(list: string[], attr: string): boolean {
  return list.includes('*') || list.some((a) => attr === a || attr.startsWith(`${a}.`));
}

function search(index: Index, body: SearchBody) {
  const s = index.settings;
  for (const f of body.facets ?? []) {
    if (!allowed(s.filterableAttributes, f)) throw err('invalid_search_facets', `Invalid facet distribution, attribute \`${f}\` is not filterable.`);
  }
  const sort = (body.sort ?? []).map((x) => {
    const [attr, dir] = x.split(':');
    if (!allowed(s.sortableAttributes, attr)) {
      throw err('invalid_search_sort', `Attribute \`${attr}\` is not sortable. Available sortable attributes are: \`${s.sortableAttributes.join(', ')}\`.`);
    }
    return { attr, desc: dir === 'desc' };
  });
  const predicate = compileFilter(body.filter, s.filterableAttributes);
  const searchable = s.searchableAttributes.includes('*') ? null : s.searchableAttributes;
  const qWords = body.q ? words(body.q) : [];
  const scored: { doc: Doc; rank: number; seq: number }[] = [];
  let seq = 0;
  for (const doc of index.docs.values()) {
    seq++;
    if (!predicate(doc)) continue;
    if (qWords.length === 0) {
      scored.push({ doc, rank: 0, seq });
      continue;
    }
    const fields = (searchable ?? Object.keys(doc)).map((a) =>
      valuesAt(doc, a)
        .filter((v) => typeof v === 'string' || typeof v === 'number')
        .flatMap((v) => words(String(v))),
    );
    let rank = 0;
    const ok = qWords.every((w, i) => {
      const last = i === qWords.length - 1;
      const at = fields.findIndex((f) => f.some((t) => t === w || (last && t.startsWith(w))));
      if (at >= 0) rank += at;
      return at >= 0;
    });
    if (ok) scored.push({ doc, rank, seq });
  }
  const sortFirst = s.rankingRules[0] === 'sort';
  const bySort = (a: Doc, b: Doc) => {
    for (const { attr, desc } of sort) {
      const x = valuesAt(a, attr)[0] as number | string | undefined;
      const y = valuesAt(b, attr)[0] as number | string | undefined;
      if (x === y) continue;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  };
  scored.sort((a, b) => (sortFirst ? bySort(a.doc, b.doc) || a.rank - b.rank : a.rank - b.rank || bySort(a.doc, b.doc)) || a.seq - b.seq);
  const total = Math.min(scored.length, s.pagination.maxTotalHits);
  const facetDistribution: Record<string, Record<string, number>> = {};
  for (const f of body.facets ?? []) {
    const counts: Record<string, number> = {};
    for (const { doc } of scored) for (const v of new Set(valuesAt(doc, f).map(String))) counts[v] = (counts[v] ?? 0) + 1;
    facetDistribution[f] = counts;
  }
  const common = { query: body.q ?? '', processingTimeMs: 0, ...(body.facets ? { facetDistribution } : {}) };
  if (body.hitsPerPage !== undefined || body.page !== undefined) {
    const per = body.hitsPerPage ?? 20;
    const page = body.page ?? 1;
    const hits = scored
      .slice(0, total)
      .slice((page - 1) * per, page * per)
      .map((x) => x.doc);
    return { hits, hitsPerPage: per, page, totalHits: total, totalPages: Math.ceil(total / Math.max(per, 1)), ...common };
  }
  const offset = body.offset ?? 0;
  const limit = body.limit ?? 20;
  return {
    hits: scored
      .slice(0, total)
      .slice(offset, offset + limit)
      .map((x) => x.doc),
    offset,
    limit,
    estimatedTotalHits: total,
    ...common,
  };
}

// --- filter expressions ----------------------------------------------------------------------------

type Pred = (d: Doc) => boolean;

function compileFilter(filter: SearchBody['filter'], filterable: string[]): Pred {
  if (filter === undefined || filter === null || filter === '') return () => true;
  if (Array.isArray(filter)) {
    const parts = filter.map((f) => (Array.isArray(f) ? orOf(f.map((x) => compileFilter(x, filterable))) : compileFilter(f, filterable)));
    return (d) => parts.every((p) => p(d));
  }
  const tokens = filter.match(/\s*(\(|\)|\[|\]|,|!=|>=|<=|=|>|<|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()[\],=<>!]+)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const bad = (why: string) =>
    err('invalid_search_filter', `Was expecting an operation \`=\`, \`!=\`, \`>=\`, \`>\`, \`<=\`, \`<\`, \`IN\`, \`NOT IN\` ... ${why} at \`${filter}\`.`);
  const value = (): string | number | boolean => {
    const t = next();
    if (t === undefined) throw bad('missing value');
    if (/^["']/.test(t)) return t.slice(1, -1).replace(/\\(.)/g, '$1');
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t;
    return t;
  };
  const eq = (a: unknown, b: string | number | boolean) => (typeof b === 'number' ? Number(a) === b && typeof a !== 'boolean' : String(a) === String(b));
  const comparison = (): Pred => {
    if (peek()?.toUpperCase() === 'NOT') {
      next();
      const inner = comparison();
      return (d) => !inner(d);
    }
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw bad('unbalanced parenthesis');
      return inner;
    }
    const attr = next();
    if (!attr) throw bad('missing attribute');
    if (!allowed(filterable, attr)) {
      throw err('invalid_search_filter', `Attribute \`${attr}\` is not filterable. Available filterable attributes are: \`${filterable.join(', ')}\`.`);
    }
    let op = next()?.toUpperCase();
    if (op === 'NOT' && peek()?.toUpperCase() === 'IN') {
      next();
      op = 'NOT IN';
    }
    if (op === 'EXISTS') return (d) => valuesAt(d, attr).length > 0;
    if (op === 'IN' || op === 'NOT IN') {
      if (next() !== '[') throw bad('expected [');
      const vals: (string | number | boolean)[] = [];
      while (peek() !== ']') {
        vals.push(value());
        if (peek() === ',') next();
        if (peek() === undefined) throw bad('expected ]');
      }
      next();
      const p: Pred = (d) => valuesAt(d, attr).some((a) => vals.some((v) => eq(a, v)));
      return op === 'IN' ? p : (d) => !p(d);
    }
    const v = value();
    const cmp = (a: unknown): boolean => {
      if (op === '=') return eq(a, v);
      if (op === '!=') return !eq(a, v);
      const n = Number(a);
      if (typeof a === 'boolean' || Number.isNaN(n) || typeof v !== 'number') return false;
      return op === '>'
        ? n > v
        : op === '>='
          ? n >= v
          : op === '<'
            ? n < v
            : op === '<='
              ? n <= v
              : (() => {
                  throw bad(`unknown operator ${op}`);
                })();
    };
    return op === '!=' ? (d) => valuesAt(d, attr).every(cmp) : (d) => valuesAt(d, attr).some(cmp);
  };
  const and = (): Pred => {
    const parts = [comparison()];
    while (peek()?.toUpperCase() === 'AND') {
      next();
      parts.push(comparison());
    }
    return (d) => parts.every((p) => p(d));
  };
  const or = (): Pred => {
    const parts = [and()];
    while (peek()?.toUpperCase() === 'OR') {
      next();
      parts.push(and());
    }
    return orOf(parts);
  };
  const pred = or();
  if (i < tokens.length) throw bad(`unexpected \`${tokens[i]}\``);
  return pred;
}

function orOf(parts: Pred[]): Pred {
  return (d) => parts.some((p) => p(d));
}
