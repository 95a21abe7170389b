import { createHash } from 'node:crypto';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';
import { readSettingFile } from './read';

/**
 * The raw source records joined into one product's document, as a transform receives them: the
 * product row, its price and image rows, its pretty URL and translations, its category nodes and
 * its variants (each with its prices).
 */
export interface TransformRows {
  product: Record<string, unknown>;
  prices: readonly Record<string, unknown>[];
  images: readonly Record<string, unknown>[];
  prettyUrl: Record<string, unknown> | null;
  urlTranslations: readonly Record<string, unknown>[];
  categories: readonly Record<string, unknown>[];
  variants: readonly { product: Record<string, unknown>; prices: readonly Record<string, unknown>[] }[];
}

export type TransformFn = (document: Record<string, unknown>, rows: TransformRows) => unknown;

export interface Transform {
  file: string;
  /** The module's text: part of the fingerprint, so an edited transform rolls a new index. */
  source: string;
  fn: TransformFn;
}

/**
 * TRANSFORM_MODULE: a JavaScript module, CommonJS or ESM, exporting `transform(document, rows)`
 * (named, or as the default export). It returns the document to index or null to leave the product
 * out, synchronously or as a promise.
 */
export async function loadTransform(file: string): Promise<Transform> {
  const abs = path.resolve(file);
  const source = readSettingFile('TRANSFORM_MODULE', abs);
  let mod: unknown;
  try {
    mod = await importModule(abs, source);
  } catch (err) {
    throw new ConfigError('TRANSFORM_MODULE', `${file} does not load: ${(err as Error).message.split('\n')[0]}`);
  }
  const m = mod as { transform?: unknown; default?: unknown };
  const fn = [m?.transform, (m?.default as { transform?: unknown } | undefined)?.transform, m?.default].find((f) => typeof f === 'function');
  if (!fn) throw new ConfigError('TRANSFORM_MODULE', `${file} exports no transform(document, rows) function`);
  return { file: abs, source, fn: fn as TransformFn };
}

/**
 * CommonJS: the text read (the one fingerprinted) compiled as a module of that file, so its own
 * `require`s resolve from its folder and no module cache can serve an older version. ESM (or a
 * .js file in an ESM package): import() of the file under a version query, kept out of reach of
 * the TypeScript compiler, which would turn it into a require in this CommonJS build.
 */
async function importModule(abs: string, source: string): Promise<unknown> {
  if (!abs.endsWith('.mjs')) {
    try {
      const mod = new Module(abs) as InternalModule;
      mod.filename = abs;
      mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(abs));
      mod._compile(source, abs);
      return mod.exports;
    } catch (err) {
      // `import`/`export` syntax: an ES module.
      if (!(err instanceof SyntaxError)) throw err;
    }
  }
  const version = createHash('sha256').update(source).digest('hex').slice(0, 16);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed body: the only way to keep a real import() in a CommonJS build
  const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
  return dynamicImport(`${pathToFileURL(abs).href}?v=${version}`);
}

/** What the module loader offers beyond its typings (stable since Node 0.x; used by every CommonJS hook). */
type InternalModule = Module & { _compile(source: string, filename: string): void };
