import { canonicalInstant, shiftInstant, nextDay } from '../../src/source/instant';

describe('instants', () => {
  test.each([
    ['2024-06-13T07:47:16.178157Z', '2024-06-13T07:47:16.178157Z'],
    ['2024-06-13T07:47:16Z', '2024-06-13T07:47:16.000000Z'],
    ['2024-06-13T10:47:16.1+03:00', '2024-06-13T07:47:16.100000Z'],
    ['2024-06-13', '2024-06-13T00:00:00.000000Z'],
    ['2024-02-29T00:00:00.000000Z', '2024-02-29T00:00:00.000000Z'],
    ['2023-02-29T00:00:00.000000Z', null],
    ['2024-13-01', null],
    ['yesterday', null],
    ['', null],
  ])('%s -> %s', (input, out) => expect(canonicalInstant(input)).toBe(out));

  test('shifting keeps microseconds; next day', () => {
    expect(shiftInstant('2024-01-01T00:00:10.123456Z', -10_000)).toBe('2024-01-01T00:00:00.123456Z');
    expect(nextDay('2024-12-31T23:59:59.999999Z')).toBe('2025-01-01');
  });
});
