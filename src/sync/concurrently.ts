/**
 * Runs one task per item concurrently (the source client's queue caps requests in flight). When a
 * task fails, the others stop at their next page (`stopped()` turns true), and the first error is
 * thrown only once every task has settled: nothing keeps writing after the run has failed.
 */
export async function eachConcurrently<T>(items: readonly T[], task: (item: T, stopped: () => boolean) => Promise<void>): Promise<void> {
  let failed = false;
  const results = await Promise.allSettled(
    items.map((item) =>
      task(item, () => failed).catch((err: unknown) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
