import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/platform/logger';

/** Everything a logger writes, once it has flushed. */
async function written(pretty: boolean, log: (l: ReturnType<typeof createLogger>) => void): Promise<string> {
  const to = new PassThrough();
  let out = '';
  to.on('data', (b: Buffer) => (out += b.toString()));
  const logger = createLogger('info', { pretty, to });
  log(logger);
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return out;
}

describe('logs', () => {
  const secretLine = (l: ReturnType<typeof createLogger>) =>
    l.warn(
      { AKINON_TOKEN: 'tok-123456', config: { ES_PASSWORD: 'pw-123456' }, headers: { authorization: 'Token tok-123456' } },
      'source request did not succeed',
    );

  test('a terminal gets readable lines, secrets redacted', async () => {
    const out = await written(true, secretLine);
    expect(out).toMatch(/WARN.*source request did not succeed/);
    expect(out).not.toMatch(/^\{/);
    expect(out).not.toContain('tok-123456');
    expect(out).not.toContain('pw-123456');
  });

  test('everything else gets JSON lines, secrets redacted', async () => {
    const out = await written(false, secretLine);
    const line = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      msg: 'source request did not succeed',
      AKINON_TOKEN: '[redacted]',
      config: { ES_PASSWORD: '[redacted]' },
      headers: { authorization: '[redacted]' },
    });
  });
});
