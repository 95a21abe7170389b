import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (stdout belongs to command output such as `feeder export`).
 * Secrets are redacted by key wherever they might sneak into a logged object.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'akinon-search-feeder' },
      redact: {
        paths: ['AKINON_TOKEN', 'ES_API_KEY', 'ES_PASSWORD', 'MEILI_API_KEY', 'ADMIN_TOKEN', 'password', 'apiKey', '*.password', '*.apiKey', 'token', 'authorization', 'headers.authorization', '*.AKINON_TOKEN', '*.token', '*.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

export type { Logger };
