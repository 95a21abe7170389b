import fs from 'node:fs';
import path from 'node:path';
import { NODE_FLAGS } from '../../src/platform/node-flags';

/* Every entry point runs the feeder with the same V8 flags (src/platform/node-flags.ts); npm's scripts are checked in containers.test.ts. */

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const flags = NODE_FLAGS.join(' ');

test('the feeder bin, through its shebang', () => {
  expect(read('src/cli/main.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
});

test("the container's entry point", () => {
  expect(read('Dockerfile')).toContain(`ENTRYPOINT ${JSON.stringify(['node', ...NODE_FLAGS, 'dist/cli/main.js']).replace(/,/g, ', ')}`);
});
