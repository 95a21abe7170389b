import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { explained } from '../search/explain';
import type { SearchApi } from '../search/api';
import { answerSearch, notAllowed, searchHandlers, type HttpOptions } from './http';

/*
 * The console (docs/CONSOLE.md): a page at `/` on the operator listener, its hashed static assets,
 * and the search preview's routes. The page is built by `npm run build:console` (esbuild, run by
 * `prepare`) into dist/console; it reads GET /status and GET /events, and sends the admin actions
 * with the token the operator types in. Nothing here is served on SEARCH_PORT.
 */

export interface ConsoleOptions {
  /** The built page: `meta.json` (esbuild's metafile) and `assets/`. */
  dir: string;
  /** The origins product images come from (the catalog's image hosts): the only images the page may load besides its own. */
  imageOrigins(): string[];
}

/** Where `npm run build:console` writes the page, from the package root (src/ and dist/ alike sit one level below it). */
export const CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'dist', 'console');

const ASSETS_PREFIX = '/console/assets/';
const ENTRY = 'console/main.tsx';

interface Built {
  script: string;
  style: string | null;
}

/** The hashed names of the page's script and style, from esbuild's metafile; null when the console was not built. */
export function readBuild(dir: string): Built | null {
  const file = path.join(dir, 'meta.json');
  if (!fs.existsSync(file)) return null;
  const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as { outputs: Record<string, { entryPoint?: string; cssBundle?: string }> };
  const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === ENTRY);
  if (!found) return null;
  const asset = (file: string) => ASSETS_PREFIX + path.basename(file);
  return { script: asset(found[0]), style: found[1].cssBundle ? asset(found[1].cssBundle) : null };
}

/**
 * The page's Content-Security-Policy: scripts, styles and requests of its own origin only, images of
 * its own and of the catalog's image hosts, no frames, no forms elsewhere, no inline anything.
 */
export function contentSecurityPolicy(imageOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${imageOrigins.join(' ')}`.trim(),
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function pageHtml(built: Built): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>akinon-search-feeder</title>',
    '<link rel="icon" href="/favicon.svg" type="image/svg+xml">',
    built.style ? `<link rel="stylesheet" href="${built.style}">` : '',
    `<script type="module" src="${built.script}"></script>`,
    '</head>',
    '<body><div id="app"><noscript>The console needs JavaScript.</noscript></div></body>',
    '</html>',
  ]
    .filter(Boolean)
    .join('\n');
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f5fd7"/><path d="M9 22l5-12h4l5 12h-4l-1-3h-4l-1 3z" fill="#fff"/></svg>';

/** A product picture for the sandbox catalog, whose image host does not exist: a tile coloured by its path. */
function sandboxPicture(rest: string): string {
  let hash = 0;
  for (const ch of rest) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const product = /products\/(\d+)\//.exec(rest)?.[1] ?? '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 400"><rect width="300" height="400" fill="hsl(${hash % 360} 45% 82%)"/><circle cx="150" cy="170" r="70" fill="hsl(${hash % 360} 45% 65%)"/><text x="150" y="330" font-family="sans-serif" font-size="28" text-anchor="middle" fill="#333">#${product}</text></svg>`;
}

/** Registers `/`, the assets, the favicon, the sandbox's pictures and the preview routes on the operator listener. */
export function consoleRoutes(app: FastifyInstance, opts: HttpOptions, console: ConsoleOptions): void {
  const built = readBuild(console.dir);
  const csp = () => contentSecurityPolicy(console.imageOrigins());
  if (!built) opts.log.warn({ dir: console.dir }, 'the console is not built (npm run build:console): / answers 503');
  const page = built ? pageHtml(built) : null;

  app.get('/', { config: { endpoint: 'console' } }, async (_req, reply) => {
    if (!page) return reply.code(503).type('text/plain').send('The console is not built: run `npm run build:console`.');
    return reply
      .headers({ 'content-security-policy': csp(), 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
      .type('text/html; charset=utf-8')
      .send(page);
  });
  app.get('/favicon.svg', { config: { endpoint: 'console' } }, async (_req, reply) =>
    reply.headers({ 'cache-control': 'public, max-age=86400' }).type('image/svg+xml').send(FAVICON),
  );
  app.get('/console/media/sandbox/*', { config: { endpoint: 'console' } }, async (req, reply) =>
    reply
      .headers({ 'cache-control': 'public, max-age=86400' })
      .type('image/svg+xml')
      .send(sandboxPicture((req.params as { '*': string })['*'])),
  );
  if (built) {
    void app.register(fastifyStatic, {
      root: path.join(console.dir, 'assets'),
      prefix: ASSETS_PREFIX,
      decorateReply: false,
      index: false,
      // Hashed names: a new build is a new name, so a name is cached for good.
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => {
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }
  if (opts.search) previewRoutes(app, opts, opts.search);
}

/**
 * The search preview: the Commerce routes under `/preview`, answered as `{response, explain}`, with
 * `explain=1` adding what every search of the request asked of the sink and its engine, and their
 * times. `explain` bypasses the result cache.
 */
function previewRoutes(app: FastifyInstance, opts: HttpOptions, api: SearchApi): void {
  const routes = searchHandlers(api, opts).filter(([, endpoint]) => endpoint !== 'search');
  for (const [url, , run] of routes) {
    app.get(`/preview${url}`, { config: { endpoint: 'preview' } }, async (req, reply) =>
      answerSearch(req, reply, 'preview', { log: opts.log, cacheSeconds: 0 }, async (params) => {
        if (params.get('explain') !== '1') {
          const response = await run(req, params);
          return response === null ? null : { response, explain: null };
        }
        const { result, explain } = await explained(() => run(req, params));
        return result === null ? null : { response: result, explain };
      }),
    );
  }
  notAllowed(
    app,
    routes.map(([url]) => `/preview${url}`),
    'GET, HEAD',
  );
}
