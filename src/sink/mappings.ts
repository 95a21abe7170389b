import fs from 'node:fs';
import path from 'node:path';

/**
 * Engine settings and mappings live in mappings/*.json at the package root, versioned with the
 * code. The root is found upwards from this module, so any build layout (dist/, the tests'
 * sources, the benchmarks' build) reads the same files.
 */
export function readMapping<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(mappingsDir(), file), 'utf8')) as T;
}

let found: string | null = null;
function mappingsDir(): string {
  if (found) return found;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'mappings');
    if (fs.existsSync(path.join(candidate, 'products.json'))) return (found = candidate);
    if (path.dirname(dir) === dir) throw new Error(`mappings/ not found above ${__dirname}`);
  }
}

/** Deep merge of plain objects (arrays and scalars of `overlay` replace those of `base`). */
export function mergeDeep<T>(base: T, overlay: unknown): T {
  if (!isObject(base) || !isObject(overlay)) return (overlay === undefined ? base : overlay) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = k in out ? mergeDeep(out[k], v) : v;
  return out as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
