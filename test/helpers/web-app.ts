/** Driving the web app in headless Chromium: sign in as a user would, by typing the key into the sign-in page. */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

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
