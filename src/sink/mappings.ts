import fs from 'node:fs';
import path from 'node:path';

/** Engine settings and mappings live in mappings/*.json, versioned with the code. */
export function readMapping<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../mappings', file), 'utf8')) as T;
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
