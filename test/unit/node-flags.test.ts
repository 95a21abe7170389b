import fs from 'node:fs';
import path from 'node:path';
import { NODE_ENV_DEFAULTS, NODE_FLAGS } from '../../src/platform/node-flags';

/* Every entry point runs the feeder with the same V8 flags (src/platform/node-flags.ts); npm's scripts are checked in containers.test.ts. */

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const flags = NODE_FLAGS.join(' ');
const env = Object.entries(NODE_ENV_DEFAULTS).map(([k, v]) => `${k}=${v}`);

test('the feeder bin, through its shebang', () => {
  expect(read('src/cli/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S ${env.join(' ')} node ${flags}`);
});

test("the container's entry point and environment", () => {
  const line = read('Dockerfile')
    .split('\n')
    .find((l) => l.startsWith('ENV NODE_ENV='))!;
  for (const pair of env) expect(line.split(' ')).toContain(pair);
  expect(read('Dockerfile')).toContain(`ENTRYPOINT ${JSON.stringify(['node', ...NODE_FLAGS, 'dist/cli/main.js']).replace(/,/g, ', ')}`);
});
