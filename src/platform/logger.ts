import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { SECRET_FIELDS, SECRET_SETTINGS } from '../config/schema';

/** Every secret setting and field name, at the top of a logged object and one level down. */
const REDACT = [...SECRET_SETTINGS, ...SECRET_FIELDS].flatMap((key) => [key, `*.${key}`]);

/**
 * Logs on stderr (stdout belongs to command output such as `feeder export`): readable lines when
 * stderr is a terminal, JSON lines everywhere else (files, pipes, containers, log shippers).
 * Secrets are redacted by key wherever they might sneak into a logged object, before either format.
 */
export function createLogger(level: string, opts: { pretty?: boolean; to?: NodeJS.WritableStream } = {}): Logger {
  const readable = opts.pretty ?? process.stderr.isTTY === true;
  const options = { level, base: { service: 'akinon-search-feeder' }, redact: { paths: REDACT, censor: '[redacted]' } };
  if (readable) {
    return pino(
      options,
      pretty({ destination: opts.to ?? 2, sync: true, colorize: !opts.to, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }),
    );
  }
  return pino(options, opts.to ?? pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
