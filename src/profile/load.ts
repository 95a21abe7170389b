import crypto from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../errors';
import { readSettingFile } from './read';
import { BUILTIN_PROFILE } from './builtin';
import { profileSchema, type SearchProfile } from './schema';
import { loadTransform, type Transform } from './transform';

/** What shapes the index: the profile, the transform (if any), and their fingerprint. */
export interface Shape {
  profile: SearchProfile;
  transform: Transform | null;
  /** sha256 of the profile (canonical JSON) and the transform module's content: stored with the live index. */
  fingerprint: string;
}

/** The fingerprint of the built-in profile with no transform: what an index built before profiles existed was built with. */
export const BUILTIN_FINGERPRINT = fingerprintOf(BUILTIN_PROFILE, null);

/** The configured shape: SEARCH_PROFILE (or the built-in profile) and TRANSFORM_MODULE. Bad files are configuration errors (exit 2). */
export async function loadShape(settings: { SEARCH_PROFILE?: string; TRANSFORM_MODULE?: string }): Promise<Shape> {
  const profile = configuredProfile(settings);
  const transform = settings.TRANSFORM_MODULE ? await loadTransform(settings.TRANSFORM_MODULE) : null;
  return { profile, transform, fingerprint: fingerprintOf(profile, transform?.source ?? null) };
}

/**
 * The configured shape's fingerprint without running the transform (its text is enough): what
 * `feeder status` compares with the live index's.
 */
export function configuredFingerprint(settings: { SEARCH_PROFILE?: string; TRANSFORM_MODULE?: string }): string {
  const source = settings.TRANSFORM_MODULE ? readSettingFile('TRANSFORM_MODULE', path.resolve(settings.TRANSFORM_MODULE)) : null;
  return fingerprintOf(configuredProfile(settings), source);
}

/** SEARCH_PROFILE's profile, or the built-in one. */
export function configuredProfile(settings: { SEARCH_PROFILE?: string }): SearchProfile {
  return settings.SEARCH_PROFILE ? readProfile(settings.SEARCH_PROFILE) : BUILTIN_PROFILE;
}

export function readProfile(file: string): SearchProfile {
  const text = readSettingFile('SEARCH_PROFILE', file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('SEARCH_PROFILE', `${path.basename(file)} is not JSON: ${(err as Error).message}`);
  }
  return parseProfile(json, path.basename(file));
}

export function parseProfile(json: unknown, name = 'the profile'): SearchProfile {
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ConfigError('SEARCH_PROFILE', `${name}: ${where}: ${issue.message}`);
  }
  const profile = parsed.data;
  const declared = new Set(Object.keys(profile.fields));
  for (const s of profile.searchable) {
    const top = s.field.split('.')[0];
    if (!SEARCHABLE_CONTRACT_FIELDS.has(s.field) && !declared.has(top)) {
      throw new ConfigError(
        'SEARCH_PROFILE',
        `${name}: searchable.${s.field}: not a text field of the document (${[...SEARCHABLE_CONTRACT_FIELDS].join(', ')}) nor a declared field`,
      );
    }
  }
  return profile;
}

/** The contract fields that hold text a shopper types (docs/CONTRACT.md §3). */
export const SEARCHABLE_CONTRACT_FIELDS = new Set(['name', 'sku', 'base_code', 'category_names', 'attribute_labels', 'breadcrumbs', 'product_type']);

export function fingerprintOf(profile: SearchProfile, transformSource: string | null): string {
  const hash = crypto.createHash('sha256');
  // What responses carry (`response`) does not shape the index: changing it rebuilds nothing.
  hash.update(canonical({ ...profile, response: undefined }));
  hash.update('\u0000');
  hash.update(transformSource ?? '');
  return hash.digest('hex').slice(0, 16);
}

/** JSON with object keys sorted: the same profile gives the same text however its file is laid out. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
