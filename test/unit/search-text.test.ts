import { ftsQuery } from '../../src/sink/text';

/* The embedded index's full-text queries from what a shopper typed. */
describe('search text', () => {
  test.each([
    ['gömlek', '"gomlek"*'],
    ['KADIN gömlek', '"kadin" AND "gomlek"*'], // folded the feeder's one way (profile/fold.ts): Turkish case, no accents, ı as i
    ['Işık şal', '"isik" AND "sal"*'],
    ['TUP-001-XS', '"tup 001 xs"*'],
    ['"; DROP TABLE', '"drop" AND "table"*'],
    ['  ', null],
  ])('%j -> %j', (text, query) => expect(ftsQuery(text)).toBe(query));
});
