import type { Config } from '../config/schema';
import { SqliteSink } from './sqlite';
import type { Sink } from './types';

/** The sink chosen by SINK. Unknown kinds cannot get here: the config schema lists what exists. */
export function createSink(config: Config): Sink {
  switch (config.SINK) {
    case 'sqlite':
      return new SqliteSink(config.SQLITE_PATH, config.INDEX_NAME);
    default:
      throw new Error(`unknown sink ${String(config.SINK)}`);
  }
}

export type { Sink } from './types';
