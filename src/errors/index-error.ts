import { FeederError } from './base';

/** A command needs the live index and there is none yet (run `feeder rebuild` first). */
export class NoLiveIndexError extends FeederError {
  constructor(command: string) {
    super('FEEDER_ERR_NO_INDEX', `no live index to ${command}: run \`feeder rebuild\` first`);
  }
}
