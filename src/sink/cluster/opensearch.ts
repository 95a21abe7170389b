import fs from 'node:fs';
import { Client, errors as osErrors, type ClientOptions } from '@opensearch-project/opensearch';
import { ClusterSink } from './sink';
import { transport, type FastCall, type BulkHelperOptions, type AliasAction, type Cluster, type ClusterOptions, type Dialect, type IndexBody } from './client';
import type { SinkDocument } from '../types';

export interface OpenSearchOptions extends ClusterOptions {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  tlsVerify: boolean;
  requestTimeoutMs: number;
}

/**
 * The keyword field that carries `key<US>value` for every attribute value on OpenSearch. Its
 * `flat_object` (the counterpart of Elasticsearch's `flattened`) answers term queries on
 * `attributes.<key>` but cannot be aggregated (opensearch-project/OpenSearch#14225: a terms
 * aggregation on a subfield returns other subfields' values). The field is added on write and
 * removed on every read, so documents read back are the contract documents.
 */
const FACETS = 'feeder_facets';
const SEP = '\u001f';

/** Values as Elasticsearch's flattened type indexes them: leaves under dotted keys, scalars as text, no nulls, at most 1,024 characters. */
export function facetPairs(attributes: unknown, prefix = ''): string[] {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) return [];
  const out: string[] = [];
  const leaf = (key: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) return value.forEach((v) => leaf(key, v));
    if (typeof value === 'object') return void out.push(...facetPairs(value, `${key}.`));
    // A number or boolean as its JSON text, as the engine reads it from the document.
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text.length <= 1024) out.push(`${key}${SEP}${text}`);
  };
  for (const [key, value] of Object.entries(attributes)) leaf(`${prefix}${key}`, value);
  return out;
}

/** A product document as the OpenSearch sink stores it: with its facet field. */
export function storedOnOpenSearch(doc: SinkDocument): SinkDocument {
  return { ...doc, [FACETS]: facetPairs(doc.attributes) };
}

/** Lucene's regexp operators escaped (a backslash before a letter can be a class such as `\d`). */
const literal = (s: string) => s.replace(/[.?+*|{}[\]()"\\#@&<>~]/g, (c) => `\\${c}`);

/** The shared mapping files in OpenSearch's types: `flat_object` for `flattened` (which takes no parameters), no `subobjects`. */
function openSearchTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openSearchTypes);
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  if (o.type === 'flattened') return { type: 'flat_object' };
  return Object.fromEntries(
    Object.entries(o)
      .filter(([k]) => k !== 'subobjects')
      .map(([k, v]) => [k, openSearchTypes(v)]),
  );
}

export const openSearchDialect: Dialect = {
  engine: 'opensearch',
  label: 'OpenSearch',
  body: (base: IndexBody) => {
    const mappings = openSearchTypes(base.mappings) as Record<string, unknown>;
    const properties = mappings.properties as Record<string, unknown>;
    // Products carry the facet field; categories have no attributes.
    if ('attributes' in properties) properties[FACETS] = { type: 'keyword', ignore_above: 1024 };
    return { settings: base.settings, mappings };
  },
  toStored: storedOnOpenSearch,
  fromStored: (doc) => {
    const { [FACETS]: _omit, ...contract } = doc;
    return contract;
  },
  // Attributes are counted on the facet field; other fields (a transform's keyword) as they are.
  facetAgg: (field, size) =>
    field.startsWith('attributes.')
      ? { terms: { field: FACETS, include: `${literal(field.slice('attributes.'.length) + SEP)}.*`, size } }
      : { terms: { field, size } },
  facetValue: (field, bucket) => (field.startsWith('attributes.') ? String(bucket).slice(field.length - 'attributes.'.length + SEP.length) : String(bucket)),
  facetFilter: (field, values) =>
    field.startsWith('attributes.')
      ? { terms: { [FACETS]: values.map((v) => `${field.slice('attributes.'.length)}${SEP}${v}`) } }
      : { terms: { [field]: values } },
};

/** The OpenSearch sink: the shared cluster logic over the official OpenSearch client. */
export function openSearchSink(opts: OpenSearchOptions): ClusterSink {
  return new ClusterSink(new OpenSearchCluster(opts), openSearchDialect, opts);
}

class OpenSearchCluster implements Cluster {
  readonly errors = osErrors;
  private readonly client: Client;

  constructor(opts: OpenSearchOptions) {
    const options: ClientOptions = {
      node: opts.url,
      requestTimeout: opts.requestTimeoutMs,
      maxRetries: 3,
      ssl: { rejectUnauthorized: opts.tlsVerify, ...(opts.caFile ? { ca: fs.readFileSync(opts.caFile) } : {}) },
    };
    if (opts.username) options.auth = { username: opts.username, password: opts.password ?? '' };
    this.client = new Client(options);
  }

  async exists(index: string) {
    return (await this.client.indices.exists({ index })).body;
  }

  async create(index: string, body: IndexBody) {
    await this.client.indices.create({ index, body: body });
  }

  bulkHelper(options: BulkHelperOptions) {
    return this.client.helpers.bulk<SinkDocument>(options);
  }

  async bulkDelete(index: string, ids: readonly string[]) {
    const res = await this.client.bulk({ body: ids.map((id) => ({ delete: { _index: index, _id: id } })) });
    const failed = res.body.items.map((item) => item.delete).find((d) => d?.error && d.status !== 404);
    return failed?.error ? { type: failed.error.type, reason: failed.error.reason ?? undefined } : null;
  }

  async putMeta(index: string, meta: Record<string, unknown>) {
    await this.client.indices.putMapping({ index, body: { _meta: meta } });
  }

  async putProperties(index: string, properties: Record<string, unknown>) {
    await this.client.indices.putMapping({ index, body: { properties: properties as never } });
  }

  async getMapping(index: string) {
    const res = await this.client.indices.getMapping({ index });
    const mappings = Object.values(res.body)[0]?.mappings;
    return { meta: mappings?._meta, properties: (mappings?.properties ?? {}) as Record<string, unknown> };
  }

  async putSettings(index: string, settings: Record<string, unknown>) {
    await this.client.indices.putSettings({ index, body: { index: settings } });
  }

  async refresh(index: string) {
    await this.client.indices.refresh({ index });
  }

  async updateAliases(actions: AliasAction[]) {
    await this.client.indices.updateAliases({ body: { actions } });
  }

  async deleteIndices(names: string[]) {
    await this.client.indices.delete({ index: names, ignore_unavailable: true });
  }

  async listIndices(pattern: string) {
    return Object.keys((await this.client.indices.get({ index: pattern, ignore_unavailable: true, allow_no_indices: true })).body);
  }

  async aliasIndices(alias: string) {
    const res = await this.client.indices.getAlias({ name: alias }, { ignore: [404] });
    return Object.keys(res.body ?? {}).filter((k) => k !== 'error' && k !== 'status');
  }

  async count(index: string) {
    return (await this.client.count({ index })).body.count;
  }

  async mget(index: string, ids: readonly string[]) {
    const res = await this.client.mget({ index, body: { ids: [...ids] } });
    return (res.body.docs as { _id: string; found?: boolean; _source?: SinkDocument }[]).map((d) => ({
      _id: d._id,
      found: d.found === true,
      _source: d._source,
    }));
  }

  async search(index: string, body: Record<string, unknown>, fast?: FastCall) {
    const res = await this.client.search({ index, body }, transport(fast));
    const hits = res.body.hits;
    const total = typeof hits.total === 'number' ? hits.total : (hits.total?.value ?? 0);
    return {
      total,
      hits: hits.hits.map((h) => ({ _id: String(h._id), _source: h._source as SinkDocument | undefined, sort: h.sort })),
      aggregations: res.body.aggregations as never,
    };
  }

  async nodeModules(fast?: FastCall) {
    const info = await this.client.nodes.info({ metric: ['plugins'] }, transport(fast));
    return Object.values(info.body.nodes).map((n) => ((n as { modules?: { name: string }[] }).modules ?? []).map((m) => m.name));
  }

  close() {
    return this.client.close();
  }
}
