import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { SearchApi } from '../../src/search/api';
import { buildHttpApp } from '../../src/service/http';
import { FeederMetrics } from '../../src/service/metrics';
import { Activity } from '../../src/service/activity';
import type { Logger } from 'pino';

/**
 * The search routes alone, as `serve` declares them, listening on a loopback port (Fastify's
 * inject() loads an ESM-only module that Jest cannot require on Node 22).
 */
export async function listenSearch(
  api: SearchApi,
  opts: { log: Logger; cacheSeconds?: number; priceType?: string },
): Promise<{ app: FastifyInstance; url: string }> {
  const app = buildHttpApp('search', {
    metrics: new FeederMetrics(),
    log: opts.log,
    search: api,
    cacheSeconds: opts.cacheSeconds ?? 0,
    commerce: { priceType: opts.priceType ?? 'default' },
    operator: {
      health: () => ({ status: 200, body: {} }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      run: () => ({ status: 202, body: {} }),
      purgeQuarantine: () => ({ removed: 0 }),
      status: () => Promise.reject(new Error('no status: the search routes alone')),
      activity: new Activity(),
      tokenMatches: () => false,
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
