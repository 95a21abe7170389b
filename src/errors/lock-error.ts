import { FeederError } from './base';

/** Another run holds the index lock; a scheduled tick that meets this is skipped, not failed. */
export class LockBusyError extends FeederError {
  constructor(
    readonly lockName: string,
    readonly holder: string,
    readonly expiresAt: string,
  ) {
    super('FEEDER_ERR_LOCKED', `another run holds lock "${lockName}" (holder ${holder}, expires ${expiresAt})`);
  }
}
