import fs from 'node:fs';
import { Client, errors as esErrors, type ClientOptions } from '@elastic/elasticsearch';
import { ClusterSink } from './sink';
import { transport, type FastCall, type BulkHelperOptions, type Cluster, type ClusterOptions, type Dialect } from './client';
import type { SinkDocument } from '../types';

export interface ElasticsearchOptions extends ClusterOptions {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  caFile?: string;
  tlsVerify: boolean;
  requestTimeoutMs: number;
}

/** Elasticsearch keeps the shared mapping files as they are: `flattened` attributes, counted by `attributes.<key>`. */
export const elasticsearchDialect: Dialect = {
  engine: 'elasticsearch',
  label: 'Elasticsearch',
  body: (base) => base,
  toStored: (doc) => doc,
  fromStored: (doc) => doc,
  facetAgg: (field, size) => ({ terms: { field, size } }),
  facetValue: (_field, bucket) => String(bucket),
  facetFilter: (field, values) => ({ terms: { [field]: values } }),
};

/** The Elasticsearch sink: the shared cluster logic over the official 8.x client. */
export function elasticsearchSink(opts: ElasticsearchOptions): ClusterSink {
  return new ClusterSink(new ElasticsearchCluster(opts), elasticsearchDialect, opts);
}

class ElasticsearchCluster implements Cluster {
  readonly errors = esErrors;
  private readonly client: Client;

  constructor(opts: ElasticsearchOptions) {
    const options: ClientOptions = {
      node: opts.url,
      requestTimeout: opts.requestTimeoutMs,
      maxRetries: 3,
      tls: { rejectUnauthorized: opts.tlsVerify, ...(opts.caFile ? { ca: fs.readFileSync(opts.caFile) } : {}) },
    };
    if (opts.apiKey) options.auth = { apiKey: opts.apiKey };
    else if (opts.username) options.auth = { username: opts.username, password: opts.password ?? '' };
    this.client = new Client(options);
  }

  exists(index: string) {
    return this.client.indices.exists({ index });
  }

  async create(index: string, body: { settings: Record<string, unknown>; mappings: Record<string, unknown> }) {
    await this.client.indices.create({ index, settings: body.settings, mappings: body.mappings });
  }

  bulkHelper(options: BulkHelperOptions) {
    return this.client.helpers.bulk<SinkDocument>(options);
  }

  async bulkDelete(index: string, ids: readonly string[]) {
    const res = await this.client.bulk({ operations: ids.map((id) => ({ delete: { _index: index, _id: id } })) });
    const failed = res.items.map((item) => item.delete).find((d) => d?.error && d.status !== 404);
    return failed?.error ? { type: failed.error.type, reason: failed.error.reason ?? undefined } : null;
  }

  async putMeta(index: string, meta: Record<string, unknown>) {
    await this.client.indices.putMapping({ index, _meta: meta });
  }

  async putProperties(index: string, properties: Record<string, unknown>) {
    await this.client.indices.putMapping({ index, properties: properties as never });
  }

  async getMapping(index: string) {
    const mappings = Object.values(await this.client.indices.getMapping({ index }))[0]?.mappings;
    return { meta: mappings?._meta, properties: (mappings?.properties ?? {}) as Record<string, unknown> };
  }

  async putSettings(index: string, settings: Record<string, unknown>) {
    await this.client.indices.putSettings({ index, settings });
  }

  async refresh(index: string) {
    await this.client.indices.refresh({ index });
  }

  async updateAliases(actions: Parameters<Cluster['updateAliases']>[0]) {
    await this.client.indices.updateAliases({ actions });
  }

  async deleteIndices(names: string[]) {
    await this.client.indices.delete({ index: names, ignore_unavailable: true });
  }

  async listIndices(pattern: string) {
    return Object.keys(await this.client.indices.get({ index: pattern, ignore_unavailable: true, allow_no_indices: true }));
  }

  async aliasIndices(alias: string) {
    const aliased = await this.client.indices.getAlias({ name: alias }, { ignore: [404] });
    return Object.keys(aliased).filter((k) => k !== 'error' && k !== 'status');
  }

  async count(index: string) {
    return (await this.client.count({ index })).count;
  }

  async mget(index: string, ids: readonly string[]) {
    const res = await this.client.mget<SinkDocument>({ index, ids: [...ids] });
    return res.docs.map((d) => ({ _id: d._id, found: 'found' in d && d.found, _source: 'found' in d ? d._source : undefined }));
  }

  async search(index: string, body: Record<string, unknown>, fast?: FastCall) {
    const res = await this.client.search<SinkDocument>({ index, ...body }, transport(fast));
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    return {
      total,
      hits: res.hits.hits.map((h) => ({ _id: h._id!, _source: h._source, sort: h.sort })),
      aggregations: res.aggregations as never,
    };
  }

  async nodeModules(fast?: FastCall) {
    const info = await this.client.nodes.info({ metric: 'plugins' }, transport(fast));
    return Object.values(info.nodes).map((n) => (n.modules ?? []).map((m) => m.name));
  }

  close() {
    return this.client.close();
  }
}
