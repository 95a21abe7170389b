import { parseRetryAfter, withRetry, RetryableFailure } from '../../src/source/retry';

/* The source client's retries: Retry-After, backoff, and what is retried. */
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
