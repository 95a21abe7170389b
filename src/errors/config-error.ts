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
