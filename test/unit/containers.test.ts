import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { NODE_FLAGS } from '../../src/platform/node-flags';

/*
 * The container files as an operator runs them. No Docker engine runs here, so their shape is
 * checked (CI also validates the compose file with `docker-compose config`).
 */
const root = path.resolve(__dirname, '../..');
interface Service {
  restart?: string;
  healthcheck?: { test: string[] };
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');

test('every service restarts unless stopped', () => {
  for (const [name, service] of Object.entries(compose.services)) expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
});

test("the sandbox service checks its own port, not the image's /healthz on 8080", () => {
  const sandbox = compose.services.sandbox;
  expect(sandbox.command).toEqual(expect.arrayContaining(['--port', '8090']));
  expect(sandbox.healthcheck?.test.join(' ')).toContain('127.0.0.1:8090');
  expect(compose.services.feeder.depends_on?.sandbox.condition).toBe('service_healthy');
});

test('the image health check gives a long first rebuild a start period', () => {
  expect(dockerfile).toMatch(/^HEALTHCHECK .*--start-period=\d+m /m);
});

test('the compose comments do not tell anyone to use an arbitrary Meilisearch key', () => {
  expect(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')).not.toContain('MEILI_API_KEY=any');
});

test('npm start and npm run feeder run the compiled bin: no compile (and no dev dependency) at start', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  // With the V8 flags every entry point shares (src/platform/node-flags.ts).
  expect(pkg.scripts.start).toBe(`node ${NODE_FLAGS.join(' ')} dist/cli/main.js serve`);
  expect(pkg.scripts.feeder).toBe(`node ${NODE_FLAGS.join(' ')} dist/cli/main.js`);
  for (const pre of ['prestart', 'prefeeder']) expect({ pre, script: pkg.scripts[pre] }).toEqual({ pre, script: undefined });
  // Installing compiles once.
  expect(pkg.scripts.prepare).toMatch(/^tsc /);
});
