#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=16 --max-old-space-size=1024
// First: refuse an unsupported Node before a native module can crash it.
import './node-version';
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError, FeederError, LockBusyError, UsageError, stripUserinfo } from '../errors';
import { runCommands } from './commands/runs';
import { statusCommand } from './commands/status';
import { quarantineCommand } from './commands/quarantine';
import { searchCommand } from './commands/search';
import { exportCommand } from './commands/export';
import { sandboxCommand } from './commands/sandbox';
import { serveCommand } from './commands/serve';

/* Thin commands (one module each under commands/): parse arguments, wire the runtime, call the core, print, exit with a code. */

/** The version of package.json (two folders above dist/cli/, in the repository and in the image). */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('feeder')
    .description('Keeps a storefront search index in step with an Akinon Commerce catalog.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  for (const add of [runCommands, statusCommand, quarantineCommand, searchCommand, exportCommand, sandboxCommand, serveCommand]) add(program);
  return program;
}

/** Exit codes: 0 success, 1 run failed, 2 bad configuration or usage. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // A command that succeeded may still report a state in its exit code (`status`: 1 when not healthy).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`feeder: ${err.message}\n`);
      return 2;
    }
    if (err instanceof LockBusyError) {
      process.stderr.write(`feeder: ${err.message}\n`);
      return 1;
    }
    const message = stripUserinfo(err instanceof FeederError ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err));
    process.stderr.write(`feeder: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `feeder export | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
