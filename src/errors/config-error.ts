import { FeederError } from './base';

/** A setting is missing or invalid. The CLI prints `message` as one line and exits 2. */
export class ConfigError extends FeederError {
  constructor(
    readonly setting: string,
    expected: string,
  ) {
    super('FEEDER_ERR_CONFIG', `${setting}: ${expected}`);
  }
}

/** The command line itself is wrong (unknown option, bad argument). Exit 2 as well. */
export class UsageError extends FeederError {
  constructor(message: string) {
    super('FEEDER_ERR_USAGE', message);
  }
}

/** Why a file could not be opened, in a few words: the OS code and its meaning, or the engine's message. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const meaning: Record<string, string> = {
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a part of the path is a file, not a folder',
    EACCES: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'no such folder',
    EISDIR: 'the path is a folder',
  };
  if (e.code && meaning[e.code]) return `${e.code}: ${meaning[e.code]}`;
  return e.message ?? String(err);
}
