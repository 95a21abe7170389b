/**
 * `test` when the test can run here; otherwise the test is skipped *visibly*: its name carries the
 * reason, and the reason is printed when the file loads (a bare `test.skip` shows up nowhere in a
 * default jest run).
 */
export function testUnless(skipReason: string | null): jest.It {
  if (skipReason === null) return test;
  const skipped = (name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    process.stderr.write(`skipped: ${name}: ${skipReason}\n`);
    test.skip(`${name} [skipped: ${skipReason}]`, fn, timeout);
  };
  return Object.assign(skipped, test);
}
