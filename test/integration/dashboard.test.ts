/**
 * The web app's dashboard page in a real headless Chromium (Debian's package, driven by playwright-core), signed
 * in through the sign-in page: it loads the
 * demo data in Chinese (the default) and in English, every chart draws on its canvas under the
 * Content-Security-Policy (no violation, no script error), and screenshots of both languages are written to
 * data/test/screenshots/. Hostile text and the headers themselves: dashboard-xss.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createApiKey } from '../../access/api-keys.ts';
import { evaluateAlerts } from '../../analytics/alerts.ts';
import { buildApp, type App } from '../../api/app.ts';
import { seedDemo } from '../../demo/seed.ts';
import { saveSegment } from '../../segmentation/segments.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, seriousAccessibilityProblems, until, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

describe('dashboard in headless Chromium', () => {
  let wh: Warehouse;
  let app: App;
  let browser: Browser;
  let address: string;
  let key: string;

  before(async () => {
    wh = await openTestWarehouse('dashboard');
    const now = Date.now();
    await seedDemo(wh, 'dash', { contacts: 1500, weeks: 3, endMs: now });
    await saveSegment(wh, 'dash', { name: '电子产品兴趣', rule: { tag: 'interest', value: 'electronics' } }, 'test');
    await evaluateAlerts(wh, 'dash', { fromMs: now - 21 * 86_400_000, toMs: now, tz: 'Asia/Shanghai', nowMs: now });
    key = (await createApiKey(wh, { workspace: 'dash', role: 'analyst', name: 'browser', createdBy: 'test' })).key;
    app = await buildApp({ config: testConfig('dashboard'), warehouse: wh, logger: false });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await dropTestDatabase(wh);
  });

  /** Non-white pixels drawn on each chart's canvas (the code runs in the page, hence a string). */
  const inked = (page: Page) =>
    page.evaluate(`['series', 'funnel', 'heatmap'].map((id) => {
      const canvas = document.querySelector('#' + id + ' canvas');
      if (!canvas) return 0;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) n++;
      return n;
    })`) as Promise<number[]>;

  it('renders the demo data with charts, in Chinese by default and in English on request', async () => {
    const { page, problems } = await watchedPage(browser, { viewport: { width: 1280, height: 1400 } });
    await page.goto(address);
    await page.waitForSelector('#api-key');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the sign-in page');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in-zh.png') });
    // By keyboard alone: Tab reaches the key field, Enter signs in.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'api-key');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-loaded="true"]', { timeout: 30_000 });
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the dashboard');
    // Tab reaches every page link, the language switch and sign-out, in order, each with a visible name.
    const reached: string[] = [];
    await page.evaluate('document.activeElement?.blur()');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        (await page.evaluate(
          `(() => { const e = document.activeElement; return e.tagName + ':' + (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || '').trim(); })()`,
        )) as string,
      );
    }
    const links = await page.$$eval('header.top nav a', (as) => as.map((a) => `A:${a.textContent?.trim()}`));
    assert.ok(links.length >= 5, links.join());
    for (const control of [...links, 'BUTTON:退出登录']) assert.ok(reached.includes(control), `${control} not reached by Tab: ${reached.join(' | ')}`);
    assert.ok(
      reached.some((r) => r.startsWith('SELECT:')),
      'the language switch is reached',
    );
    assert.equal(await page.textContent('h1'), '短信营销分析平台');
    assert.equal(await page.textContent('.page-title'), '数据看板');
    const cards = await page.$$eval('.cards .card', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(cards.length, 7);
    assert.ok(cards.some((c) => c.includes('到达率')) && cards.some((c) => c.includes('发送成功率')));
    for (const [i, n] of (await inked(page)).entries()) assert.ok(n > 2000, `chart ${i} drew ${n} pixels`);
    assert.match((await page.textContent('#lists')) ?? '', /电子产品兴趣/);
    assert.match((await page.textContent('#alerts')) ?? '', /China Telecom/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-zh.png'), fullPage: true });

    await chooseLanguage(page, 'en');
    await until(page, `document.querySelector('.page-title')?.textContent === 'Dashboard'`);
    await page.waitForSelector('[data-loaded="true"]', { timeout: 30_000 });
    assert.equal(await page.textContent('h1'), 'SMS marketing analytics');
    assert.ok(((await page.textContent('.cards')) ?? '').includes('Delivery rate'));
    for (const n of await inked(page)) assert.ok(n > 2000);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-en.png'), fullPage: true });
    for (const lang of ['zh', 'en']) assert.ok(fs.statSync(path.join(SCREENSHOTS, `dashboard-${lang}.png`)).size > 30_000);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
