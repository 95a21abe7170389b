import fs from 'node:fs';
import path from 'node:path';
import { Activity } from '../../src/service/activity';
import { contentSecurityPolicy, readBuild } from '../../src/service/console';
import { previewLanguages, runRow } from '../../src/service/status';
import { BUILTIN_PROFILE } from '../../src/profile/builtin';
import { tempDir } from '../helpers/harness';

describe('Activity (what /events streams)', () => {
  test('a run reports its start, each change of phase at once, figures at most every 250 ms, and its end', () => {
    const a = new Activity();
    const heard: unknown[] = [];
    a.on('progress', (p) => heard.push(p && { ...p }));
    a.onProgress({ phase: 'crawl', done: 1 }); // no run: nothing to report
    a.runStarted('rebuild', 'request');
    a.onProgress({ phase: 'crawl', done: 100, total: 1000 });
    a.onProgress({ phase: 'crawl', done: 200, total: 1000 }); // within 250 ms of the last: held back
    a.onProgress({ phase: 'build', done: 50, total: 400 });
    a.runFinished();
    expect(heard).toEqual([
      expect.objectContaining({ kind: 'rebuild', why: 'request', phase: 'starting', rowsCrawled: 0 }),
      expect.objectContaining({ phase: 'crawl', rowsCrawled: 100, rowsTotal: 1000 }),
      expect.objectContaining({ phase: 'build', rowsCrawled: 200, documents: 50, documentsTotal: 400 }),
      null,
    ]);
    expect(a.progress).toBeNull();
  });

  test('the lag history spans the whole life of the process in a bounded number of points', () => {
    const a = new Activity();
    for (let i = 0; i < 5000; i++) a.sampleLag(i, i * 1000);
    expect(a.lag.length).toBeLessThanOrEqual(720);
    expect(a.lag[0]).toEqual([0, 0]);
    expect(a.lag[a.lag.length - 1]).toEqual([4_999_000, 4999]);
  });
});

describe('the console page', () => {
  test('its CSP allows only its own origin, and images of the catalog hosts', () => {
    expect(contentSecurityPolicy(['https://a.cdn.example'])).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https://a.cdn.example; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(contentSecurityPolicy([])).toContain("img-src 'self';");
  });

  test('the hashed script and style are read from the build; no build, no page', () => {
    const dir = tempDir();
    expect(readBuild(dir)).toBeNull();
    const outputs = {
      'dist/console/assets/main-AB12.js': { entryPoint: 'console/main.tsx', cssBundle: 'dist/console/assets/main-CD34.css' },
      'dist/console/assets/main-AB12.js.map': {},
    };
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ outputs }));
    expect(readBuild(dir)).toEqual({ script: '/console/assets/main-AB12.js', style: '/console/assets/main-CD34.css' });
  });
});

describe('the status of runs and languages', () => {
  test('a failed run shows its reason and its error code apart', () => {
    const row = runRow({
      id: 7,
      kind: 'sync',
      started_at: '2026-12-01T10:00:00.000Z',
      finished_at: '2026-12-01T10:00:02.500Z',
      outcome: 'failed',
      summary: { written: 3, deleted: 1, quarantined: 0 },
      error: 'the source could not be reached: connect ECONNREFUSED [FEEDER_ERR_SOURCE]',
    });
    expect(row).toMatchObject({
      durationMs: 2500,
      written: 3,
      deleted: 1,
      error: 'the source could not be reached: connect ECONNREFUSED',
      code: 'FEEDER_ERR_SOURCE',
    });
  });

  test('the preview offers the profile locales and label languages besides Turkish and English', () => {
    expect(previewLanguages(BUILTIN_PROFILE)).toEqual(['tr', 'en']);
    const profile = { ...BUILTIN_PROFILE, locales: ['de-de'], facets: [{ key: 'c', field: 'attributes.c', kind: 'terms' as const, labels: { ar: 'لون' } }] };
    expect(previewLanguages(profile as typeof BUILTIN_PROFILE)).toEqual(['tr', 'en', 'de-de', 'ar']);
  });
});
