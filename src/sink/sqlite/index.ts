export { SqliteSink } from './sink';
export { ftsColumn, ftsColumns } from './schema';

export { SqliteSearchPool } from './pool';
