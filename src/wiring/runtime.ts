import { sourceIdentity, usesSandbox, type Config } from '../config/schema';
import { DwhHttp } from '../source/http';
import { Source } from '../source/source';
import { StateStore } from '../state/store';
import { createSink, type Sink } from '../sink';
import type { EngineSink } from '../sink/types';
import { ConfigError, describeFsError } from '../errors';
import { Sandbox } from '../sandbox/server';
import type { RunContext } from '../sync/context';
import type { Logger } from 'pino';
import { loadShape, type Shape } from '../profile/load';

export interface Runtime {
  /** The wiring, as the context of a run with no options (`runWith` adds a run's own). */
  ctx: RunContext;
  /** The source's HTTP client, for what watches it (`serve`'s request and retry metrics). */
  sourceHttp: DwhHttp;
  /**
   * The engine itself, every seam of it: what `serve` turns into the index it serves searches from
   * (`servedIndex`: the embedded index's threads and result cache, or the engine as it is). Null for
   * a sink wired by the caller that cannot search.
   */
  engine: EngineSink | null;
  /** The in-process sandbox when AKINON_URL is unset or `sandbox`. */
  sandbox: Sandbox | null;
  close(): Promise<void>;
}

/**
 * The composition root: the one place that knows every stage. It wires a run context (source,
 * state store, sink, logger) from the configuration; the CLI and the service import it, no stage does.
 * Without AKINON_URL (or with `sandbox`) the built-in sandbox starts on a loopback port and is the
 * source (no account, no server needed), and the feeder says so.
 */
/** The state store at STATE_PATH, or a configuration error naming it when the path cannot be opened. */
export function openStateStore(config: Config): StateStore {
  try {
    return new StateStore(config.STATE_PATH, { maxBytes: config.STATE_MAX_BYTES });
  } catch (err) {
    throw new ConfigError('STATE_PATH', `cannot open ${config.STATE_PATH} (${describeFsError(err)})`);
  }
}

export async function openRuntime(config: Config, log: Logger, opts: { sink?: Sink; shutdown?: AbortSignal } = {}): Promise<Runtime> {
  // Files first: a path that cannot be opened is bad configuration (exit 2), found before anything
  // starts listening.
  const store = openStateStore(config);
  let shape: Shape;
  try {
    shape = await loadShape(config);
  } catch (err) {
    store.close();
    throw err;
  }
  let engine: EngineSink | null = null;
  let sandbox: Sandbox | null = null;
  let baseUrl: string;
  let token: string;
  try {
    // `opts.sink`: a sink wired by the caller (the benchmarks' discarding sink) instead of SINK's.
    engine = opts.sink ? null : createSink(config, shape.profile);
    if (!usesSandbox(config)) {
      baseUrl = `${config.AKINON_URL!.replace(/\/+$/, '')}/api/v1/remote/${config.AKINON_CHANNEL_ID}/data-warehouse/`;
      token = config.AKINON_TOKEN!;
    } else {
      sandbox = new Sandbox({ products: config.SANDBOX_PRODUCTS, seed: config.SANDBOX_SEED });
      const url = await sandbox.start(0, '127.0.0.1');
      baseUrl = `${url}/api/v1/remote/${sandbox.channelId}/data-warehouse/`;
      token = sandbox.token;
      log.info(
        { products: config.SANDBOX_PRODUCTS, seed: config.SANDBOX_SEED },
        config.AKINON_URL === undefined
          ? `AKINON_URL is not set: using the built-in sandbox catalog (${config.SANDBOX_PRODUCTS} products) as the source`
          : `AKINON_URL=sandbox: using the built-in sandbox catalog (${config.SANDBOX_PRODUCTS} products) as the source`,
      );
    }
  } catch (err) {
    store.close();
    await engine?.close().catch(() => undefined);
    throw err;
  }
  // A shared SaaS gets polite defaults; the in-process sandbox is ours to use at full speed.
  const http = new DwhHttp({
    baseUrl,
    token,
    timeoutMs: config.AKINON_TIMEOUT_MS,
    rateLimit: config.AKINON_RATE_LIMIT ?? (sandbox ? 0 : 5),
    concurrency: config.AKINON_CONCURRENCY ?? (sandbox ? 4 : 2),
    maxRetries: config.AKINON_MAX_RETRIES,
    baseMs: config.AKINON_RETRY_BASE_MS,
    maxMs: config.AKINON_RETRY_MAX_MS,
  });
  // Shutdown (`serve`) aborts requests in flight and the waits between retries.
  if (opts.shutdown) http.setShutdownSignal(opts.shutdown);
  http.onRequest((e) => {
    if (e.status !== '200') log.warn({ path: e.path.split('?')[0], status: e.status }, 'source request did not succeed');
  });
  // Every retry is visible, a 200 with a truncated or malformed body included.
  http.onRetry((e) => log.warn({ path: e.path, reason: e.reason, attempt: e.attempt, waitMs: e.waitMs }, `source request retried (${e.reason})`));
  const source = new Source(http, {
    pageSize: config.AKINON_PAGE_SIZE,
    pageSizeParam: config.AKINON_PAGE_SIZE_PARAM,
    cursorPrecision: config.AKINON_CURSOR_PRECISION,
  });
  const sink: Sink = opts.sink ?? engine!;
  const ctx: RunContext = { config, store, source, sink, log, sourceId: sourceIdentity(config), shape };
  return {
    ctx,
    sourceHttp: http,
    engine,
    sandbox,
    async close() {
      await http.close().catch(() => undefined);
      await sink.close().catch(() => undefined);
      store.close();
      await sandbox?.stop();
    },
  };
}
