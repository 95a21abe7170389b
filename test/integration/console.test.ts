import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, getJson, startServe, type ServeProcess } from '../helpers/cli';
import { tempDir } from '../helpers/harness';
import { testUnless } from '../helpers/skip';
import { browserSkipReason, launchChromium, watchProblems } from '../helpers/browser';

/*
 * The console in a real Chromium, against `feeder serve` on the built-in sandbox (what a new user
 * gets from `npm start`). Every path also checks that the page logged no error and no request
 * failed. SCREENSHOTS_DIR=docs/images saves the screenshots the README shows.
 */

const skip = browserSkipReason();
const it = testUnless(skip);
const TOKEN = 'console-test-token-0123456789';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  if (skip) return;
  const dir = tempDir();
  serve = await startServe({
    STATE_PATH: path.join(dir, 'state.db'),
    SQLITE_PATH: path.join(dir, 'index.db'),
    SANDBOX_PRODUCTS: '1500',
    ADMIN_TOKEN: TOKEN,
    // Scheduled syncs would add runs of their own to the table this test reads.
    SYNC_CRON: '0 0 1 1 *',
  });
  browser = await launchChromium();
  // The first rebuild is done when /status shows a live index.
  await eventually(async () => {
    const { body } = await getJson<{ ok: boolean }>(`${serve.url}/status`);
    return body.ok ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exited;
});

beforeEach(async () => {
  if (skip) return;
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  problems = watchProblems(page);
});

afterEach(async () => {
  if (skip) return;
  await page.close();
});

async function shot(name: string): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

const total = async () => Number(((await page.getByTestId('total').textContent()) ?? '').replace(/[^\d]/g, '').replace(/^$/, 'NaN'));
const runRows = () => page.locator('[data-testid=runs] tbody tr');

it('the operations view shows a healthy feeder, its documents and its runs after the first build', async () => {
  const res = await page.goto(serve.url);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByTestId('health').textContent()).resolves.toBe('Healthy');
  const status = (await getJson<{ sink: { documents: { products: number } } }>(`${serve.url}/status`)).body;
  await page
    .getByTestId('products')
    .filter({ hasText: status.sink.documents.products.toLocaleString('en') })
    .waitFor();
  await runRows().filter({ hasText: 'rebuild' }).filter({ hasText: 'succeeded' }).first().waitFor();
  // Without a token the actions are disabled.
  expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
  await shot('console-operations');
  expect(problems).toEqual([]);
});

it('a wrong token is refused and starts nothing', async () => {
  await page.goto(serve.url);
  await runRows().first().waitFor();
  const before = await runRows().count();
  await page.getByLabel('Admin token').fill('not-the-token-at-all');
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.getByTestId('action-message').filter({ hasText: 'The admin token was refused' }).waitFor();
  // The page forgot the refused token: the actions are disabled again.
  expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
  expect(await runRows().count()).toBe(before);
  // The refusal is the one expected failure: the server's 401 (and Chromium's log line of it).
  const expected = (p: string) => /401/.test(p) && (/\/sync$/.test(p) || p.startsWith('console error: Failed to load resource'));
  expect(problems.filter((p) => !expected(p))).toEqual([]);
  expect(problems.some((p) => p === `HTTP 401: ${serve.url}/sync`)).toBe(true);
});

it('a sync started from the page appears in the runs table', async () => {
  await page.goto(serve.url);
  await runRows().first().waitFor();
  const syncs = async () => runRows().filter({ hasText: 'sync' }).count();
  const before = await syncs();
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.getByTestId('action-message').filter({ hasText: 'Sync started' }).waitFor();
  // The event stream brings the finished run in without a reload.
  await eventually(async () => ((await syncs()) === before + 1 ? true : undefined), 30_000);
  await expect(runRows().first().textContent()).resolves.toMatch(/sync.*succeeded/);
  expect(problems).toEqual([]);
});

it('the search preview suggests as one types, narrows by a facet choice to its count, pages, sorts and switches language', async () => {
  await page.goto(`${serve.url}/#search`);
  await page.getByTestId('products').locator('li').first().waitFor();
  const all = await total();
  expect(all).toBeGreaterThan(24);

  // Suggestions for a prefix.
  await page.getByRole('combobox', { name: 'Search the catalog' }).fill('ca');
  await page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option').first().waitFor();
  await shot('console-search');
  await page.keyboard.press('Escape');

  // A facet choice narrows the listing to the count it showed.
  const choice = page.locator('fieldset[data-facet=size] li').first();
  const quantity = Number(await choice.locator('.qty').getAttribute('data-quantity'));
  expect(quantity).toBeGreaterThan(0);
  await choice.getByRole('checkbox').check();
  await eventually(
    async () => ((await total()) === quantity ? true : undefined),
    10_000,
    () => `expected ${quantity}`,
  );
  await expect(page.locator('fieldset[data-facet=size] li').first().getByRole('checkbox').isChecked()).resolves.toBe(true);
  await choice.getByRole('checkbox').uncheck();
  await eventually(async () => ((await total()) === all ? true : undefined), 10_000);

  // Sorting by price, ascending.
  await page.getByTestId('sorter').selectOption('price');
  const prices = async () =>
    (await page.locator('[data-testid=products] .price').allTextContents()).map((t) => Number(t.trim().split(/\s/)[0].replace(/,/g, '')));
  await eventually(async () => {
    const p = await prices();
    return p.length > 1 && p.every((v, i) => i === 0 || v >= p[i - 1]) ? true : undefined;
  }, 10_000);

  // Paging: page 2 holds other products.
  const pks = async () => Promise.all((await page.locator('[data-testid=products] li').all()).map((li) => li.getAttribute('data-pk')));
  const firstPage = await pks();
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).locator('[aria-current=page]').filter({ hasText: '2' }).waitFor();
  const secondPage = await pks();
  expect(secondPage.filter((pk) => firstPage.includes(pk))).toEqual([]);

  // The language switch renames the facets.
  await expect(page.locator('fieldset[data-facet=category_ids] legend').textContent()).resolves.toBe('Kategori');
  await page.getByTestId('language').selectOption('en');
  await page.locator('fieldset[data-facet=category_ids] legend').filter({ hasText: 'Category' }).waitFor();
  expect(problems).toEqual([]);
});

it('the explain switch shows what the engine was asked, and its time', async () => {
  await page.goto(`${serve.url}/#search`);
  await page.getByTestId('products').locator('li').first().waitFor();
  await page.getByTestId('explain').check();
  const panel = page.getByTestId('explain-panel');
  await panel.waitFor();
  await expect(panel.textContent()).resolves.toMatch(/sqlite request 1/);
  await expect(panel.textContent()).resolves.toMatch(/SELECT/);
  await shot('console-explain');
  expect(problems).toEqual([]);
});
