import fs from 'node:fs';
import path from 'node:path';
import { NODE_FLAGS } from '../../src/platform/node-flags';

/* Every entry point runs the feeder with the same V8 flags (src/platform/node-flags.ts). */

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const flags = NODE_FLAGS.join(' ');

test('npm start and npm run feeder', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  expect(scripts.start).toBe(`node ${flags} dist/cli/main.js serve`);
  expect(scripts.feeder).toBe(`node ${flags} dist/cli/main.js`);
});

test('the feeder bin, through its shebang', () => {
  expect(read('src/cli/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
});

test("the container's entry point", () => {
  expect(read('Dockerfile')).toContain(`ENTRYPOINT ${JSON.stringify(['node', ...NODE_FLAGS, 'dist/cli/main.js']).replace(/,/g, ', ')}`);
});
