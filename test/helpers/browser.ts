import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/*
 * A real Chromium for the console's tests: Debian's `chromium` (.ci/run installs it), or the binary
 * CHROMIUM_PATH names. Without one the browser tests are skipped visibly, unless REQUIRE_BROWSER=1
 * (CI), which makes its absence a failure.
 */

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | null {
  const named = process.env.CHROMIUM_PATH;
  if (named) return named;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** Why the browser tests cannot run here, or null. */
export function browserSkipReason(): string | null {
  if (chromiumPath()) return null;
  const reason = "no Chromium: install Debian's `chromium` (apt-get install chromium) or set CHROMIUM_PATH";
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1, but ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath()!, args: ['--no-sandbox'] });
}

/** What went wrong on a page: console errors, uncaught exceptions, failed requests and 4xx/5xx answers. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (r) => {
    // A request the page itself cancelled (a search superseded by the next keystroke, the event
    // stream when the page closes) is not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}
