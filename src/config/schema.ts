import { z } from 'zod';
import cron from 'node-cron';
import { withoutUserinfo } from '../errors/scrub';

/*
 * The one home of every setting: its environment variable name, its default and what it means.
 * Keys are the environment variable names themselves, so `grep AKINON_PAGE_SIZE` finds both the
 * documentation and every use. An optional JSON file (FEEDER_CONFIG) uses the same keys; the
 * environment wins over the file.
 */

/** Only a value that is not a number at all gets "expected a number"; range checks say their own. */
const notANumber = { error: (issue: { code: string }) => (issue.code === 'invalid_type' ? 'expected a number' : undefined) };
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number(notANumber).int('expected a whole number').min(min, `expected at least ${min}`).max(max, `expected at most ${max}`);
/** A duration in milliseconds, bounded: a Node timer beyond 2^31 − 1 ms fires at once. */
const millis = (min: number, max: number) => int(min, max);
const num = (min: number) => z.coerce.number(notANumber).min(min, `expected at least ${min}`);
const httpUrl = z
  .string()
  .url('expected an http(s) URL such as https://example.akinoncloud.com')
  .refine((u) => /^https?:\/\//i.test(u), 'expected an http(s) URL such as https://example.akinoncloud.com');
/** The value of AKINON_URL that asks for the built-in sandbox explicitly. */
export const SANDBOX_SOURCE = 'sandbox';
const cronExpr = z.string().refine((s) => cron.validate(s), 'expected a cron expression such as "* * * * *"');
const OVERRIDABLE_MODELS = ['product', 'productprice', 'productimage', 'categorynode', 'prettyurl'];
const contentTypeOverrides = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object such as {"productprice":"price"}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .record(z.string(), z.union([z.string(), z.number().int()], { error: 'values must be a model name or a content type id' }), {
        error: 'expected a JSON object such as {"productprice":"price"}',
      })
      .refine(
        (o) => Object.keys(o).every((k) => OVERRIDABLE_MODELS.includes(k)),
        `keys must be ${OVERRIDABLE_MODELS.slice(0, -1).join(', ')} or ${OVERRIDABLE_MODELS.at(-1)}`,
      ),
  );

export const configSchema = z.object({
  // --- source: the Akinon Data Warehouse API --------------------------------------------------
  /**
   * Base URL of the Omnitron instance, or `sandbox` for the built-in sandbox catalog. Unset: the
   * sandbox, but only for the embedded sink (a remote index is never fed invented products by default).
   */
  AKINON_URL: z
    .string()
    .refine(
      (u) => u === SANDBOX_SOURCE || httpUrl.safeParse(u).success,
      `expected an http(s) URL such as https://example.akinoncloud.com, or "${SANDBOX_SOURCE}"`,
    )
    .optional(),
  /** Channel id used in `/api/v1/remote/{channel}/data-warehouse/`. Required with AKINON_URL. */
  AKINON_CHANNEL_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected a channel id such as 3')
    .optional(),
  /** API token, sent as `Authorization: Token <token>`. Required with AKINON_URL. Never logged. */
  AKINON_TOKEN: z.string().min(1).optional(),
  /** Rows requested per page. */
  AKINON_PAGE_SIZE: int(1, 10000).default(100),
  /** Name of the page size query parameter (`limit` for Akinon's SDK, `page_size` for some setups). */
  AKINON_PAGE_SIZE_PARAM: z
    .string()
    .regex(/^[a-z_]+$/, 'expected a query parameter name')
    .default('limit'),
  /** `datetime`: full ISO-8601 timestamps in modified_date filters; `date`: days, exact on our side. */
  AKINON_CURSOR_PRECISION: z.enum(['datetime', 'date']).default('datetime'),
  /** Requests per second at most (0 = no cap). Default is polite to a shared SaaS. */
  AKINON_RATE_LIMIT: num(0).optional(),
  /** Requests in flight at most. */
  AKINON_CONCURRENCY: int(1, 64).optional(),
  /** Per-request timeout (headers and body), milliseconds. */
  AKINON_TIMEOUT_MS: millis(100, 600_000).default(30000),
  /** Retries of one request on 429, 5xx, timeouts, resets and unreadable bodies. */
  AKINON_MAX_RETRIES: int(0, 100).default(8),
  /** First backoff step, milliseconds; doubles per attempt, with full jitter. */
  AKINON_RETRY_BASE_MS: millis(0, 3_600_000).default(500),
  /** Longest wait between attempts (also caps a server's Retry-After), milliseconds. */
  AKINON_RETRY_MAX_MS: millis(0, 3_600_000).default(60000),
  /** Override content type resolution for deleted items: {"productprice": "price"} or {"product": 138}. */
  AKINON_CONTENT_TYPES: contentTypeOverrides.optional(),

  // --- sync semantics --------------------------------------------------------------------------
  /**
   * Delay subtracted from the source clock before a window closes (0: read up to the source's
   * clock). Safety no longer needs it: SYNC_OVERLAP_SECONDS covers late commits without delaying
   * every edit. Kept for sources whose commits lag more than any overlap you would re-read.
   */
  SYNC_LAG_SECONDS: num(0).default(0),
  /**
   * How far back each sync re-reads every resource (and re-reads tombstones), seconds: a row
   * committed up to this long after its `modified_date` is still found, by the next run. Re-reading
   * is cheap: unchanged rows change nothing. The lag metric counts it (see docs/RELIABILITY.md §1).
   */
  SYNC_OVERLAP_SECONDS: num(0).default(10),
  /** Price row that feeds `price`, `retail_price`, `tax_rate`, `currency`. */
  PRICE_TYPE: z.string().min(1).default('default'),
  /** When set, only price rows of this currency (case-insensitive) are chosen for `price`. */
  CURRENCY: z.string().min(1).optional(),
  /** How products link to category nodes: a product attribute, or a list endpoint of link rows. */
  CATEGORY_LINK: z.enum(['attribute', 'endpoint']).default('attribute'),
  /** Attribute holding a node id, a list of ids or "1,2,3" (CATEGORY_LINK=attribute). */
  CATEGORY_ATTRIBUTE: z.string().min(1).default('category_ids'),
  /** Link rows path under data-warehouse/ (CATEGORY_LINK=endpoint), e.g. catalogs/product-categories. */
  CATEGORY_LINK_PATH: z
    .string()
    .regex(/^[a-z0-9_/-]+$/, 'expected a path such as catalogs/product-categories')
    .optional(),
  /** Field of a link row naming the product (CATEGORY_LINK=endpoint). */
  CATEGORY_LINK_PRODUCT_FIELD: z.string().min(1).default('product'),
  /** Field of a link row naming the category node (CATEGORY_LINK=endpoint). */
  CATEGORY_LINK_CATEGORY_FIELD: z.string().min(1).default('category'),
  /** Width of one step of a category node's materialized `path`. */
  CATEGORY_PATH_STEP: int(1, 64).default(4),
  /**
   * Largest share (0..1) by which a rebuild may shrink what it replaces: the rows a resource's crawl
   * meets against the server's count and against the rows stored, and the new index against the live
   * one. Past it the rebuild is refused and the live index stays (`feeder rebuild --allow-shrink`).
   */
  REBUILD_MAX_SHRINK: z.coerce.number(notANumber).min(0, 'expected at least 0').max(1, 'expected at most 1').default(0.5),
  /**
   * A product with no valid price (none at all, or its only rows quarantined): `index` it with
   * `price: null` (contract v1), or `hold` it out of the index until a valid price arrives.
   */
  PRICE_MISSING: z.enum(['index', 'hold']).default('index'),
  /** `all` indexes every product; `listable` only those with is_active && is_listable. */
  INDEX_FILTER: z.enum(['all', 'listable']).default('all'),

  // --- shaping the index -------------------------------------------------------------------------
  /** Search profile file (JSON): searchable fields, facets, synonyms, locales, extra fields (docs/PROFILE.md). Unset: the built-in profile. */
  SEARCH_PROFILE: z.string().min(1).optional(),
  /** JavaScript module (CommonJS or ESM) exporting transform(document, rows): the document to index, or null to leave the product out. */
  TRANSFORM_MODULE: z.string().min(1).optional(),

  // --- sink --------------------------------------------------------------------------------------
  /** Search engine adapter. */
  SINK: z.enum(['sqlite', 'elasticsearch', 'opensearch', 'meilisearch']).default('sqlite'),
  /** Public index name; categories go to `<INDEX_NAME>_categories`. */
  INDEX_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected lowercase letters, digits and _')
    .default('products'),
  /** Documents per write batch. */
  BATCH_SIZE: int(1, 100000).default(500),
  /** Elasticsearch URL (SINK=elasticsearch), e.g. https://es.internal:9200. */
  ES_URL: httpUrl.optional(),
  /** Elasticsearch API key (base64 `id:key`); takes precedence over user and password. Never logged. */
  ES_API_KEY: z.string().min(1).optional(),
  /** Elasticsearch basic auth user and password. The password is never logged. */
  ES_USERNAME: z.string().min(1).optional(),
  ES_PASSWORD: z.string().min(1).optional(),
  /** PEM file of the CA that signed the cluster's certificate. */
  ES_CA_FILE: z.string().min(1).optional(),
  /** Verify the cluster's TLS certificate (turn off only for a throwaway cluster). */
  ES_TLS_VERIFY: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .default('true')
    .transform((v) => v === 'true'),
  /** OpenSearch URL (SINK=opensearch), e.g. https://search-shop.eu-central-1.es.amazonaws.com. */
  OPENSEARCH_URL: httpUrl.optional(),
  /** OpenSearch basic auth user and password (the security plugin's internal users; AWS fine-grained access control's master user). The password is never logged. */
  OPENSEARCH_USERNAME: z.string().min(1).optional(),
  OPENSEARCH_PASSWORD: z.string().min(1).optional(),
  /** PEM file of the CA that signed the OpenSearch cluster's certificate. */
  OPENSEARCH_CA_FILE: z.string().min(1).optional(),
  /** Verify the OpenSearch cluster's TLS certificate (turn off only for a throwaway cluster). */
  OPENSEARCH_TLS_VERIFY: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .default('true')
    .transform((v) => v === 'true'),
  // The tuning below is the Elasticsearch protocol's and applies to OpenSearch too.
  /** Replicas of the live index (restored after a rebuild loads with 0). */
  ES_REPLICAS: int(0, 10).default(1),
  /** Bulk request size at which the bulk helper flushes, bytes. */
  ES_FLUSH_BYTES: int(1024).default(5_000_000),
  /** Bulk requests in flight. */
  ES_CONCURRENCY: int(1, 32).default(2),
  /** How long the old index outlives a rebuild's alias swap before it is deleted (searches in flight finish), milliseconds. */
  ES_SWAP_GRACE_MS: int(0, 600_000).default(2000),
  /** Timeout of one Elasticsearch request, milliseconds. */
  ES_REQUEST_TIMEOUT_MS: millis(100, 600_000).default(60_000),
  /** Meilisearch URL (SINK=meilisearch), e.g. http://meili.internal:7700. */
  MEILI_URL: httpUrl.optional(),
  /** Meilisearch API key with document and index rights (not the master key). Never logged. */
  MEILI_API_KEY: z.string().min(1).optional(),
  /** Largest request body sent to Meilisearch, bytes; batches are cut below it (engine default limit: 100 MiB). */
  MEILI_PAYLOAD_LIMIT_BYTES: int(1024).default(20_000_000),
  /** Documents per write while a rebuild loads a new index: fewer, larger tasks (bench scenario 6: 500 → 5,000 doubled the load rate). */
  MEILI_LOAD_BATCH_SIZE: int(1, 100000).default(5000),
  /** Document batches in flight. */
  MEILI_CONCURRENCY: int(1, 16).default(2),
  /** How long one task may take before the run fails, milliseconds. */
  MEILI_TASK_TIMEOUT_MS: millis(100, 3_600_000).default(300_000),
  /** Embedded sink file (SINK=sqlite). */
  SQLITE_PATH: z.string().min(1).default('./data/index.db'),

  // --- state -------------------------------------------------------------------------------------
  /** State store: raw rows, watermarks, hashes, runs, quarantine. */
  STATE_PATH: z.string().min(1).default('./data/feeder.db'),
  /** Largest size of the state store file, bytes (unset: no cap). A full store fails the run cleanly. */
  STATE_MAX_BYTES: int(65536).optional(),
  /** A run lock not renewed for this long is stale and may be taken over. */
  LOCK_TTL_SECONDS: int(2).default(120),

  // --- service -----------------------------------------------------------------------------------
  /**
   * Schedule of `sync` in `feeder serve` (cron, with an optional seconds field). Every 10 s: an
   * edit is searchable within about 12 s, and an idle sync costs 6 requests, 36 a minute, 12% of
   * the default source budget (AKINON_RATE_LIMIT, 5/s). Ticks that meet a run in flight are skipped.
   */
  SYNC_CRON: cronExpr.default('*/10 * * * * *'),
  /** Optional schedule of a full `rebuild` in `feeder serve`. */
  REBUILD_CRON: cronExpr.optional(),
  /** Optional schedule of `reconcile` in `feeder serve`; what it repairs is counted and logged as a warning. */
  RECONCILE_CRON: cronExpr.optional(),
  /** HTTP port of `feeder serve`: the console at /, /healthz, /metrics, /status, the admin endpoints. */
  PORT: int(0, 65535).default(8080),
  /** Bind address of `feeder serve`. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer token guarding the admin endpoints of `serve` (sync, rebuild, quarantine retry and purge) and the console's actions; unset disables them. Never logged. */
  ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /**
   * A port of its own for the storefront search API (GET /search, /autocomplete): set it to expose
   * search to storefronts while /healthz, /metrics and the admin endpoints stay on PORT. Unset:
   * search is served on PORT.
   */
  SEARCH_PORT: int(0, 65535).optional(),
  /** Bind address of SEARCH_PORT (default: HOST). */
  SEARCH_HOST: z.string().min(1).optional(),
  /** Browser origins allowed to call the search API (CORS): a comma-separated list of origins, or `*`. Unset: none. */
  SEARCH_CORS_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.union([z.literal('*'), z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected origins such as https://shop.example.com, or *')]))
        .min(1, 'expected origins such as https://shop.example.com, or *'),
    )
    .optional(),
  /**
   * The most a storefront search may take before the API answers 503: Elasticsearch and OpenSearch
   * are waited for (and retried once) this long; an embedded search (its wait for a search thread
   * included) is stopped at it, so no query can hold the service.
   */
  SEARCH_TIMEOUT_MS: millis(100, 120_000).default(5000),
  /** Search threads of the embedded index in `serve` (SINK=sqlite): searches answered side by side, off the event loop. */
  SEARCH_THREADS: int(1, 64).default(2),
  /** The most memory recent embedded search results may hold (their JSON size, bytes); the least recently used go first. */
  SEARCH_CACHE_MAX_BYTES: int(0, 2 ** 31).default(32 * 1024 * 1024),
  /** How long browsers and CDNs may reuse a search answer (Cache-Control max-age, seconds); 0 sends no-store. */
  SEARCH_CACHE_SECONDS: int(0, 86_400).default(30),
  /** On SIGTERM/SIGINT, how long `serve` waits for the current batch before it exits anyway. */
  SHUTDOWN_GRACE_MS: millis(0, 600_000).default(8000),
  /** /healthz turns 503 when the oldest watermark (source time fully applied) is older than this. */
  MAX_LAG_SECONDS: int(1).default(600),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // --- built-in sandbox (the source when AKINON_URL is unset) --------------------------------------
  /** Products generated by the sandbox catalog. */
  SANDBOX_PRODUCTS: int(1, 5_000_000).default(5000),
  /** Seed of the sandbox catalog: same seed, same catalog. */
  SANDBOX_SEED: int(0).default(42),
});

export type Config = z.infer<typeof configSchema>;

/** Whether the built-in sandbox is the source. */
export function usesSandbox(config: Pick<Config, 'AKINON_URL'>): boolean {
  return config.AKINON_URL === undefined || config.AKINON_URL === SANDBOX_SOURCE;
}

/**
 * Which catalog feeds the index, without secrets: the Omnitron URL (without any `user:password@`)
 * and channel, or the sandbox with the settings that shape its catalog. The state store and the
 * index stamps remember it, and the index can be read by whoever can search it.
 */
export function sourceIdentity(config: Config): string {
  if (usesSandbox(config)) return `sandbox (SANDBOX_SEED=${config.SANDBOX_SEED}, SANDBOX_PRODUCTS=${config.SANDBOX_PRODUCTS})`;
  return `${withoutUserinfo(config.AKINON_URL!).replace(/\/+$/, '')} channel ${config.AKINON_CHANNEL_ID}`;
}
export type ConfigInput = z.input<typeof configSchema>;

/** Settings whose values never appear in messages, logs or status output. */
export const SECRET_SETTINGS = ['AKINON_TOKEN', 'ES_API_KEY', 'ES_PASSWORD', 'OPENSEARCH_PASSWORD', 'MEILI_API_KEY', 'ADMIN_TOKEN'] as const;

/** Field names that carry those secrets inside clients' objects (options, headers); logs redact them too. */
export const SECRET_FIELDS = ['password', 'apiKey', 'token', 'authorization'] as const;
