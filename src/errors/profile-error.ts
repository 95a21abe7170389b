import { FeederError } from './base';

/**
 * The live index was built with another search profile or transform than the configured ones: a
 * sync would mix documents of two shapes in it. A rebuild rolls the new shape in (`serve` does).
 */
export class ShapeChangedError extends FeederError {
  constructor(detail: string) {
    super('FEEDER_ERR_SHAPE_CHANGED', `${detail}: run \`feeder rebuild\` to roll it in with no downtime (\`feeder serve\` does so by itself)`);
  }
}
