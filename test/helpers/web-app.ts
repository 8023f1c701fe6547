/** Driving the web app in headless Chromium: sign in as a user would, by typing the key into the sign-in page. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';

/** Where page tests write their screenshots: one folder whichever test lane ran them (README links some of them). */
export const SCREENSHOTS = path.resolve('data/test/screenshots');

/** Opens the app at `route` (e.g. '/dashboard'), signs in with `key`, and waits for the page's frame. */
export async function signInThroughPage(page: Page, address: string, key: string, route = '/dashboard'): Promise<void> {
  await page.goto(`${address}/#${route}`);
  await page.fill('#api-key', key);
  await page.click('form button[type="submit"]');
  await page.waitForSelector('header.top', { timeout: 30_000 });
}

/** Chooses the interface language with the header's switch. */
export async function chooseLanguage(page: Page, locale: 'zh-CN' | 'en'): Promise<void> {
  await page.selectOption('header.top select', locale);
}

/** Serious and critical accessibility violations axe-core finds on the page as it is now (ids and the first targets). */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

export interface WatchedPage {
  page: Page;
  /** What went wrong, as it happened: dialogs, script and console errors, CSP violations, failed requests. */
  problems: string[];
  /** The messages of dialogs the page opened (also in `problems`). */
  dialogs: string[];
  /** Fails unless nothing went wrong and no hostile name ran (hostile fixtures set `window.__xss`). */
  assertClean(): Promise<void>;
}

// Injected by the driver, so the page's own policy does not stop it; reported as console errors, which survive navigation.
const REPORT_CSP = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')))`;

/**
 * A new page (in its own context, 1280×800 unless told) that records everything a script injection or a too strict
 * policy would leave behind. Expected failures are not problems: the favicon (the server has none), the app's first
 * "who is signed in?" (401 before sign-in), and whatever `expected` accepts.
 */
export async function watchedPage(
  browser: Browser,
  options: { expected?: (pathname: string, status: number) => boolean; acceptDownloads?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<WatchedPage> {
  const { expected = () => false, acceptDownloads = false, viewport = { width: 1280, height: 800 } } = options;
  const page = await (await browser.newContext({ viewport, acceptDownloads })).newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    problems.push(`dialog ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (res) => {
    const { pathname } = new URL(res.url());
    const status = res.status();
    const fine = pathname === '/favicon.ico' || (pathname === '/v1/session' && status === 401) || expected(pathname, status);
    if (status >= 400 && !fine) problems.push(`${status} ${res.url()}`);
  });
  await page.addInitScript(REPORT_CSP);
  return {
    page,
    problems,
    dialogs,
    async assertClean() {
      assert.equal(await page.evaluate('typeof window.__xss'), 'undefined', 'a hostile name ran');
      assert.deepEqual(problems, []);
    },
  };
}

/**
 * Waits until `expression` (evaluated in the page) is true. Polled through the driver: page.waitForFunction
 * compiles its predicate in the page, which the Content-Security-Policy (no 'unsafe-eval') refuses.
 */
export async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
