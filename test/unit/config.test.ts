import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import type { ConfigError } from '../../src/errors';

/** Loads a FEEDER_CONFIG file holding `json`; returns the config or the error's setting and message. */
function withFile(json: unknown): { setting?: string; message?: string; code?: string; config?: ReturnType<typeof loadConfig> } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-config-')), 'feeder.json');
  fs.writeFileSync(file, JSON.stringify(json));
  try {
    return { config: loadConfig({ FEEDER_CONFIG: file }) };
  } catch (err) {
    const e = err as ConfigError;
    return { setting: e.setting, code: e.code, message: e.message.replace(file, '<file>') };
  }
}

describe('FEEDER_CONFIG', () => {
  test('an unknown key is an error naming it, with the closest known setting', () => {
    expect(withFile({ AKINON_PAGE_SIZ: 50 })).toEqual({
      setting: 'AKINON_PAGE_SIZ',
      code: 'FEEDER_ERR_CONFIG',
      message: 'AKINON_PAGE_SIZ: unknown setting in <file>; did you mean AKINON_PAGE_SIZE?',
    });
    expect(withFile({ COLOUR: 'red' })).toMatchObject({ setting: 'COLOUR', message: 'COLOUR: unknown setting in <file>' });
  });

  test('JSON numbers and booleans are accepted where they are meant', () => {
    const { config } = withFile({ AKINON_PAGE_SIZE: 50, ES_TLS_VERIFY: false, SYNC_LAG_SECONDS: 2.5 });
    expect(config).toMatchObject({ AKINON_PAGE_SIZE: 50, ES_TLS_VERIFY: false, SYNC_LAG_SECONDS: 2.5 });
  });

  test('true is not a page size, and an object is not a port', () => {
    expect(withFile({ AKINON_PAGE_SIZE: true })).toMatchObject({ setting: 'AKINON_PAGE_SIZE', message: 'AKINON_PAGE_SIZE: expected a number (got "true")' });
    expect(withFile({ PORT: { n: 1 } })).toMatchObject({
      setting: 'PORT',
      message: expect.stringMatching(/^PORT: expected a string, a number or true\/false in <file>/) as unknown,
    });
  });

  test('the environment still wins over the file, and the content types map may be an object', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'feeder-config-')), 'feeder.json');
    fs.writeFileSync(file, JSON.stringify({ AKINON_PAGE_SIZE: 50, AKINON_CONTENT_TYPES: { productprice: 'price' } }));
    expect(loadConfig({ FEEDER_CONFIG: file, AKINON_PAGE_SIZE: '70' })).toMatchObject({
      AKINON_PAGE_SIZE: 70,
      AKINON_CONTENT_TYPES: { productprice: 'price' },
    });
  });
});

describe('freshness settings', () => {
  test('the defaults sync every 10 s, read up to the source clock and re-read a 10 s overlap', () => {
    expect(loadConfig({})).toMatchObject({ SYNC_CRON: '*/10 * * * * *', SYNC_LAG_SECONDS: 0, SYNC_OVERLAP_SECONDS: 10 });
  });

  test('a MAX_LAG_SECONDS no lag could ever be below (the lag counts the overlap) is an error naming it', () => {
    expect(withFile({ MAX_LAG_SECONDS: 10 })).toMatchObject({ setting: 'MAX_LAG_SECONDS', code: 'FEEDER_ERR_CONFIG' });
    expect(withFile({ MAX_LAG_SECONDS: 10, SYNC_OVERLAP_SECONDS: 5 }).config).toBeDefined();
  });
});
