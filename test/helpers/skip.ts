import { engineSkipReason, type EngineName, type SinkName } from '../support/engines';

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

/** `describe` when the engine can run here; otherwise one skipped test that says why. */
export function describeWithEngine(engine: EngineName, name: string, body: () => void): void {
  const reason = engineSkipReason(engine);
  if (reason === null) describe(name, body);
  else describe(name, () => test.skip(`[skipped: ${reason}]`, () => undefined));
}

/** The sinks of a suite that can run here; each one left out is a visible skipped test with its reason. */
export function availableSinks(sinks: readonly SinkName[]): SinkName[] {
  return sinks.filter((sink) => {
    if (sink === 'sqlite') return true;
    const reason = engineSkipReason(sink);
    if (reason !== null) test.skip(`${sink} [skipped: ${reason}]`, () => undefined);
    return reason === null;
  });
}
