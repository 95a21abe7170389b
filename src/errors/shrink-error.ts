import { FeederError } from './base';

/**
 * A rebuild's result is implausibly smaller than what it would replace (an empty or truncated
 * crawl, a source answering for the wrong catalog): the swap is refused and the live index stays.
 */
export class ShrinkRefusedError extends FeederError {
  constructor(
    readonly what: string,
    readonly from: number,
    readonly to: number,
    readonly maxShrink: number,
  ) {
    super(
      'FEEDER_ERR_SHRINK_REFUSED',
      `rebuild refused: ${what} (from ${from} to ${to}, more than REBUILD_MAX_SHRINK=${maxShrink} smaller); the live index is untouched. ` +
        'Check the source, or run `feeder rebuild --allow-shrink` if the catalog really shrank',
    );
  }
}
