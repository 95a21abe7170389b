import { stripUserinfo } from './scrub';

/**
 * One base class for every failure the feeder reports on purpose. Each subclass sets a stable
 * `code` (like undici's `UND_ERR_*`) so operators and tests can match on it instead of on text.
 */
export class FeederError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    // Credentials a URL carries (http://user:password@host) never reach a message.
    super(stripUserinfo(message), options);
    this.name = new.target.name;
    this.code = code;
  }
}
