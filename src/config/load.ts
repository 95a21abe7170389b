import fs from 'node:fs';
import { configSchema, SANDBOX_SOURCE, SECRET_SETTINGS, usesSandbox, type Config } from './schema';
import { ConfigError, stripUserinfo } from '../errors';

const KEYS = Object.keys(configSchema.shape) as (keyof Config)[];

/**
 * Reads the configuration from the environment and, if FEEDER_CONFIG names one, a JSON file with
 * the same keys. Empty strings count as unset. Throws ConfigError naming the first bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  const file = env.FEEDER_CONFIG;
  if (file) Object.assign(raw, fileSettings(file, readConfigFile(file)));
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const [k, v] of Object.entries(raw)) if (v === '' || v === null) delete raw[k];
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? 'config');
    const shown = (SECRET_SETTINGS as readonly string[]).includes(key) ? '' : describeValue(raw[key]);
    throw new ConfigError(key, `${issue.message}${shown}`);
  }
  return checkCombinations(parsed.data);
}

function checkCombinations(c: Config): Config {
  if (!usesSandbox(c)) {
    if (!c.AKINON_CHANNEL_ID) throw new ConfigError('AKINON_CHANNEL_ID', 'required when AKINON_URL is set');
    if (!c.AKINON_TOKEN) throw new ConfigError('AKINON_TOKEN', 'required when AKINON_URL is set');
  }
  if (c.AKINON_URL === undefined && c.SINK !== 'sqlite') {
    throw new ConfigError(
      'AKINON_URL',
      `required with SINK=${c.SINK}: the built-in sandbox feeds only the embedded index by default; set AKINON_URL=${SANDBOX_SOURCE} to feed ${c.SINK} from it on purpose`,
    );
  }
  if (c.MAX_LAG_SECONDS <= c.SYNC_OVERLAP_SECONDS + c.SYNC_LAG_SECONDS) {
    // The lag counts the overlap (and the lag): health could never be reported.
    throw new ConfigError(
      'MAX_LAG_SECONDS',
      `must exceed SYNC_OVERLAP_SECONDS + SYNC_LAG_SECONDS (${c.SYNC_OVERLAP_SECONDS + c.SYNC_LAG_SECONDS}): the lag is never below them`,
    );
  }
  if (c.SINK === 'elasticsearch' && !c.ES_URL) throw new ConfigError('ES_URL', 'required when SINK=elasticsearch');
  if (c.SINK === 'opensearch' && !c.OPENSEARCH_URL) throw new ConfigError('OPENSEARCH_URL', 'required when SINK=opensearch');
  if (c.SINK === 'meilisearch' && !c.MEILI_URL) throw new ConfigError('MEILI_URL', 'required when SINK=meilisearch');
  if (c.ES_CA_FILE && !fs.existsSync(c.ES_CA_FILE)) throw new ConfigError('ES_CA_FILE', `no such file ${c.ES_CA_FILE}`);
  if (c.OPENSEARCH_CA_FILE && !fs.existsSync(c.OPENSEARCH_CA_FILE)) throw new ConfigError('OPENSEARCH_CA_FILE', `no such file ${c.OPENSEARCH_CA_FILE}`);
  if (c.CATEGORY_LINK === 'endpoint' && !c.CATEGORY_LINK_PATH) {
    throw new ConfigError('CATEGORY_LINK_PATH', 'required when CATEGORY_LINK=endpoint');
  }
  return c;
}

/**
 * The settings of a FEEDER_CONFIG file as the schema reads them (environment-style text). Unknown keys
 * are an error naming the key (with the closest known one); JSON numbers and booleans are accepted
 * where a number or a flag is meant, and nothing else is converted: `true` is not a page size.
 */
function fileSettings(file: string, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!(KEYS as string[]).includes(key)) {
      const near = closest(key, KEYS);
      throw new ConfigError(key, `unknown setting in ${file}${near ? `; did you mean ${near}?` : ''}`);
    }
    if (value === null || typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = JSON.stringify(value);
    else if (key === 'AKINON_CONTENT_TYPES' && typeof value === 'object') out[key] = JSON.stringify(value);
    else throw new ConfigError(key, `expected a string, a number or true/false in ${file} (got ${JSON.stringify(value).slice(0, 60)})`);
  }
  return out;
}

/** The known setting nearest to a mistyped one (edit distance at most 3), if any. */
function closest(key: string, known: readonly string[]): string | null {
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const d = editDistance(key.toUpperCase(), name);
    if (d <= 3 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('FEEDER_CONFIG', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new ConfigError('FEEDER_CONFIG', `${file} must hold a JSON object of settings`);
}

function describeValue(v: unknown): string {
  if (v === undefined) return '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return ` (got "${text.length > 60 ? `${text.slice(0, 57)}...` : text}")`;
}

/** The configuration with secrets replaced, for logs and `feeder status`. */
export function redactedConfig(c: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  for (const k of SECRET_SETTINGS) if (out[k] !== undefined) out[k] = '[redacted]';
  // Secrets embedded in URLs are redacted by shape, not by key name.
  for (const [k, v] of Object.entries(out)) if (typeof v === 'string') out[k] = stripUserinfo(v);
  return out;
}
