import { canonicalInstant, shiftInstant, nextDay } from '../../src/source/instant';
import { ftsQuery } from '../../src/sink/text';
import { parseRetryAfter, withRetry, RetryableFailure } from '../../src/source/retry';

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

describe('search text', () => {
  test.each([
    ['gömlek', '"gömlek"*'],
    ['KADIN gömlek', '"KADiN" AND "gömlek"*'], // dotless/dotted I fold to i; FTS5 folds case
    ['TUP-001-XS', '"TUP 001 XS"*'],
    ['"; DROP TABLE', '"DROP" AND "TABLE"*'],
    ['  ', null],
  ])('%j -> %j', (text, query) => expect(ftsQuery(text)).toBe(query));
});

describe('retries', () => {
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  test('the server asks for more than the backoff: the wait honours Retry-After (capped)', async () => {
    const waits: number[] = [];
    let n = 0;
    const result = await withRetry(
      async () => {
        if (n++ < 2) throw new RetryableFailure('429', '429', n === 1 ? 3000 : 999_999);
        return 'ok';
      },
      { maxRetries: 5, baseMs: 10, maxMs: 60_000 },
      { sleep: async (ms) => void waits.push(ms), random: () => 1 },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([3000, 60_000]);
  });

  test('backoff doubles with full jitter; gives up after maxRetries; other errors are not retried', async () => {
    const waits: number[] = [];
    const failing = () => Promise.reject(new RetryableFailure('500', '500'));
    await expect(
      withRetry(failing, { maxRetries: 3, baseMs: 100, maxMs: 1000 }, { sleep: async (ms) => void waits.push(ms), random: () => 0.5 }),
    ).rejects.toThrow('500');
    expect(waits).toEqual([50, 100, 200]);
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('401');
        },
        { maxRetries: 3, baseMs: 1, maxMs: 1 },
      ),
    ).rejects.toThrow('401');
    expect(calls).toBe(1);
  });
});
