import { AsyncLocalStorage } from 'node:async_hooks';
import { msSince, type EngineRequest, type SearchQuery, type ServedIndex } from '../sink/types';

/*
 * The console's explain switch: what one storefront request asked of the sink, and what the sink
 * asked its engine. A request runs inside `explained()`; every search the query plan makes in it is
 * sent with `explain` (which bypasses the result cache) and recorded here, in order. Outside it,
 * searches pass straight through.
 */

/** One search the query plan made: the sink query, its time, and the engine requests behind it. */
export interface ExplainedSearch {
  query: SearchQuery;
  ms: number;
  engine: EngineRequest[];
}

export interface Explain {
  /** The whole request, query plan included. */
  ms: number;
  searches: ExplainedSearch[];
}

const scope = new AsyncLocalStorage<ExplainedSearch[]>();

/** The index, with its searches recorded while a request is explained. */
export function explainable(index: ServedIndex): ServedIndex {
  return {
    indexName: index.indexName,
    count: (t) => index.count(t),
    get: (t, ids) => index.get(t, ids),
    scan: (t, size) => index.scan(t, size),
    search: async (q) => {
      const trace = scope.getStore();
      if (!trace) return index.search(q);
      const started = performance.now();
      const result = await index.search({ ...q, explain: true });
      trace.push({ query: q, ms: msSince(started), engine: result.explain ?? [] });
      const { explain: _recorded, ...rest } = result;
      return rest;
    },
  };
}

/** Runs a request with its searches recorded. */
export async function explained<R>(run: () => Promise<R>): Promise<{ result: R; explain: Explain }> {
  const searches: ExplainedSearch[] = [];
  const started = performance.now();
  const result = await scope.run(searches, run);
  return { result, explain: { ms: msSince(started), searches } };
}
