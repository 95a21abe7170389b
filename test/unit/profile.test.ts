import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { BUILTIN_FINGERPRINT, fingerprintOf, loadShape, parseProfile, readProfile } from '../../src/profile/load';
import { facetField, queryVariants, searchFields } from '../../src/profile/query';
import { transformedProblem } from '../../src/profile/validate';
import { meiliSettings } from '../../src/sink/meilisearch/sink';
import { ftsColumns } from '../../src/sink/sqlite';
import { profileMappings } from '../../src/sink/cluster/mappings';
import { readMapping } from '../../src/sink/mappings';
import { ConfigError } from '../../src/errors';
import { tempDir } from '../helpers/harness';

const EXAMPLE = path.resolve(__dirname, '../../examples/turkish-fashion');

describe('the built-in profile is what mappings/*.json say (they are never a second source of truth)', () => {
  test('Meilisearch: the products settings it generates are mappings/meilisearch.json', () => {
    const file = readMapping<{ products: { settings: Record<string, unknown> } }>('meilisearch.json');
    expect(meiliSettings(BUILTIN_PROFILE, file.products.settings)).toEqual(file.products.settings);
  });

  test('SQLite: its FTS columns and bm25 weights are mappings/sqlite.json', () => {
    const file = readMapping<{ fts: { columns: Record<string, number> } }>('sqlite.json');
    const generated = Object.fromEntries(ftsColumns(BUILTIN_PROFILE).map((c) => [c.column, c.weight]));
    expect(generated).toEqual(file.fts.columns);
  });

  test('Elasticsearch and OpenSearch: it adds nothing to mappings/products.json; the query weights are the historical ones', () => {
    expect(profileMappings(BUILTIN_PROFILE)).toEqual({});
    expect(searchFields(BUILTIN_PROFILE)).toEqual([
      { field: 'name', weight: 10 },
      { field: 'sku', weight: 6 },
      { field: 'base_code', weight: 4 },
      { field: 'category_names', weight: 2 },
      { field: 'attribute_labels', weight: 1 },
    ]);
  });

  test('an index built before profiles existed counts as built with the built-in profile', async () => {
    expect((await loadShape({})).fingerprint).toBe(BUILTIN_FINGERPRINT);
  });
});

describe('a profile file', () => {
  const write = (json: unknown) => {
    const file = path.join(tempDir(), 'profile.json');
    fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    return file;
  };
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('no error');
  };

  test('the example validates, with facet fields defaulting to the attribute of their key', () => {
    const p = readProfile(path.join(EXAMPLE, 'profile.json'));
    expect(p.locales).toEqual(['en-us']);
    expect(facetField(p, 'marka')).toBe('brand');
    expect(facetField(p, 'material')).toBe('attributes.material');
    expect(parseProfile({ searchable: [{ field: 'name', weight: 1 }], facets: [{ key: 'beden' }] }).facets[0].field).toBe('attributes.beden');
  });

  test.each([
    [{ searchable: [] }, /searchable: at least one searchable field/],
    [{ searchable: [{ field: 'name', weight: 1 }], synonym: {} }, /\(top level\): Unrecognized key: "synonym"/],
    [{ searchable: [{ field: 'name', weight: 1 }], locales: ['EN_US'] }, /locales\.0: expected a lowercase language code/],
    [{ searchable: [{ field: 'brand', weight: 1 }] }, /searchable\.brand: not a text field of the document/],
    [{ searchable: [{ field: 'name', weight: 1 }], synonyms: { groups: [['kot']] } }, /synonyms\.groups\.0: a synonym group needs at least two words/],
    [{ searchable: [{ field: 'name', weight: 1 }], fields: { brand: 'string' } }, /fields\.brand: Invalid option/],
  ])('%j is refused, naming SEARCH_PROFILE and the place', (json, message) => {
    const err = errorOf(() => readProfile(write(json)));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^SEARCH_PROFILE: profile\.json: /);
    expect((err as ConfigError).message).toMatch(message);
  });

  test('not JSON, or missing: a configuration error naming SEARCH_PROFILE', () => {
    expect((errorOf(() => readProfile(write('{ nope'))) as Error).message).toMatch(/^SEARCH_PROFILE: profile\.json is not JSON/);
    expect((errorOf(() => readProfile('/nonexistent/profile.json')) as Error).message).toMatch(/^SEARCH_PROFILE: cannot read .*ENOENT/);
  });

  test('the fingerprint follows the content, not the layout', () => {
    const a = parseProfile({ searchable: [{ field: 'name', weight: 1 }], stopWords: ['ve'] });
    const b = parseProfile(JSON.parse('{"stopWords":["ve"],"searchable":[{"weight":1,"field":"name"}]}'));
    expect(fingerprintOf(a, null)).toBe(fingerprintOf(b, null));
    expect(fingerprintOf(a, 'module.exports = {}')).not.toBe(fingerprintOf(a, null));
    expect(fingerprintOf({ ...a, stopWords: ['ile'] }, null)).not.toBe(fingerprintOf(a, null));
  });
});

describe('query variants under synonyms and stop words', () => {
  const p = readProfile(path.join(EXAMPLE, 'profile.json'));
  test.each([
    ['tişört', ['tişört', 't-shirt', 'tshirt']],
    ['TİŞÖRT', ['TİŞÖRT', 't-shirt', 'tshirt']],
    ['T-Shirt', ['T-Shirt', 'tişört', 'tshirt']],
    ['mavi kot', ['mavi kot', 'mavi jean']],
    ['jean', ['jean']],
    ['kırmızı ve mavi tişört', ['kırmızı mavi tişört', 'kırmızı mavi t-shirt', 'kırmızı mavi tshirt']],
    ['ve', ['ve']],
  ])('%s → %j', (text, variants) => expect(queryVariants(p, text)).toEqual(variants));

  test('the locale adds its fields first, weighted like their counterparts; an unknown locale adds nothing', () => {
    expect(searchFields(p, 'en-us').slice(0, 4)).toEqual([
      { field: 'i18n.en-us.name', weight: 10 },
      { field: 'i18n.en-us.attributes', weight: 1 },
      { field: 'i18n.en-us.category_names', weight: 3 },
      { field: 'i18n.en-us.url', weight: 1 },
    ]);
    expect(searchFields(p, 'de-de')).toEqual(searchFields(p));
  });
});

describe('what a transform may return', () => {
  const p = readProfile(path.join(EXAMPLE, 'profile.json'));
  test.each([
    [{ id: '1', name: 'x', brand: 'Koton' }, null],
    [{ id: '1', brand: null, name_en: 'Shirt' }, null],
    [{ id: '1', brand: ['A', 'B'] }, null],
    [{ id: '2' }, /changed the document id/],
    [{ id: '1', colour: 'red' }, /the field colour, which the search profile does not declare/],
    [{ id: '1', brand: 42 }, /brand = 42, not a keyword/],
    ['text', /returned string, not a document or null/],
    [[{ id: '1' }], /returned an array/],
  ])('%j', (result, problem) => {
    const got = transformedProblem(result, { id: '1', name: 'Basic T-Shirt', product_type: '0' }, p);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toMatch(problem);
  });

  test('TRANSFORM_MODULE that exports no function, or does not exist: a configuration error naming it', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'none.js'), 'module.exports = { other: 1 };');
    await expect(loadShape({ TRANSFORM_MODULE: path.join(dir, 'none.js') })).rejects.toThrow(
      /^TRANSFORM_MODULE: .*exports no transform\(document, rows\) function/,
    );
    await expect(loadShape({ TRANSFORM_MODULE: path.join(dir, 'missing.js') })).rejects.toThrow(/^TRANSFORM_MODULE: cannot read/);
  });
});
