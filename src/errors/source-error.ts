import { FeederError } from './base';

/**
 * The Data Warehouse API could not be read. Messages carry the method, the path and the status,
 * never the Authorization header or the token.
 */
export class SourceError extends FeederError {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(status === 401 || status === 403 ? 'FEEDER_ERR_SOURCE_AUTH' : 'FEEDER_ERR_SOURCE', message, options);
  }
}

/** A response arrived but its body is not the documented `{count, next, previous, results}` page. */
export class SourceFormatError extends FeederError {
  constructor(message: string) {
    super('FEEDER_ERR_SOURCE_FORMAT', message);
  }
}
