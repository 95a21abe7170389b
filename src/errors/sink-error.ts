import { FeederError } from './base';

/** The search engine refused or failed a request that is not a per-document rejection. */
export class SinkError extends FeederError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FEEDER_ERR_SINK', message, options);
  }
}
