import { FeederError } from './base';

/**
 * A search that did not finish within SEARCH_TIMEOUT_MS (waiting for a free search thread
 * included): it was stopped, so one slow query cannot hold the service, and the caller answers 503.
 */
export class SearchTimeoutError extends FeederError {
  constructor(readonly timeoutMs: number) {
    super('FEEDER_ERR_SEARCH_TIMEOUT', `the search did not finish within SEARCH_TIMEOUT_MS=${timeoutMs}`);
  }
}
