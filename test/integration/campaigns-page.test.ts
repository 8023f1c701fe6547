/**
 * The campaign costs and ROI page (#/campaigns) in headless Chromium over a real listener, signed in through the page
 * as an analyst over seeded demo data (which sets prices): every card's figures equal the API's answer
 * to the same question (asked by this test over HTTP), for campaigns and for channels; a hostile campaign id shows as
 * literal text and runs nothing; no CSP violation, script error or failed request; no serious accessibility problem;
 * screenshots in both languages go to data/test/screenshots/campaigns-<en|zh>.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createApiKey } from '../../access/api-keys.ts';
import { buildApp, type App } from '../../api/app.ts';
import { seedDemo } from '../../demo/seed.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, watchedPage, SCREENSHOTS, type WatchedPage } from '../helpers/web-app.ts';

const WS = 'campaigns_page';
const DAY = 86_400_000;
const HOSTILE = '<img src=x onerror="window.__xss=3">';
// The workspace's zone is Asia/Shanghai (+08:00): the page's days run from 16:00 UTC to 16:00 UTC.
const SHANGHAI = 8 * 3_600_000;
const isoDay = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 10);

/** The page's formats in English. */
const number = (x: number) => new Intl.NumberFormat('en').format(x);
const money = (x: number | null) => (x === null ? '–' : number(Math.round(x * 100) / 100));
const percent = (x: number | null) =>
  x === null ? '–' : new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(x);

interface Figures {
  messages: number;
  parts: number;
  cost: number;
  conversions: number;
  revenue: number;
  roi: number | null;
  cost_per_conversion: number | null;
}
const shown = (g: Figures) => [
  number(g.messages),
  number(g.parts),
  money(g.cost),
  number(g.conversions),
  money(g.revenue),
  percent(g.roi),
  money(g.cost_per_conversion),
];

describe('campaign costs and ROI page in headless Chromium', () => {
  let wh: Warehouse;
  let app: App;
  let browser: Browser;
  let address: string;
  let analyst: string;
  let admin: string;
  let watched: WatchedPage;
  let page: Page;
  const today = Date.now();
  const month = {
    from: new Date(Date.parse(`${isoDay(today - 29 * DAY)}T00:00:00Z`) - SHANGHAI).toISOString(),
    to: new Date(Date.parse(`${isoDay(today)}T00:00:00Z`) + DAY - SHANGHAI).toISOString(),
  };

  const call = async (method: string, url: string, key: string, body?: unknown) => {
    const res = await fetch(`${address}/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'accept-language': 'en', ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };

  /** Each card's key and figures as the page shows them, once the page shows `count` cards. */
  async function cards(count: number): Promise<string[][]> {
    const read = () =>
      page.$$eval('.roi-cards .roi-card', (els) =>
        els.map((el) => [
          el.querySelector('.roi-key')?.textContent ?? '',
          ...[...el.querySelectorAll('dd')].map((dd) => (dd.textContent ?? '').replace(/\s+/g, ' ').trim()),
        ]),
      );
    for (let tries = 0; tries < 150 && (await read()).length !== count; tries++) await page.waitForTimeout(200);
    return read();
  }

  before(async () => {
    wh = await openTestWarehouse('campaigns_page');
    await seedDemo(wh, WS, { contacts: 500, weeks: 2, endMs: today });
    analyst = (await createApiKey(wh, { workspace: WS, role: 'analyst', name: 'browser', createdBy: 'test' })).key;
    admin = (await createApiKey(wh, { workspace: WS, role: 'admin', name: 'admin', createdBy: 'test' })).key;
    app = await buildApp({ config: testConfig('campaigns_page'), warehouse: wh, logger: false });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    // The demo sets its prices (106 to China Mobile: 0.035 per part).
    const prices = await call('GET', '/prices', admin);
    assert.equal(prices.versions.length, 1);
    // A hostile campaign id, stored as any sender would: 3 sends, delivered, one converting.
    const hour = Math.floor(today / 3600_000) * 3600_000 - 3 * 3600_000;
    const events = [];
    for (let i = 0; i < 3; i++) {
      const common = { user_id: `hostile_${i}`, campaign_id: HOSTILE, message_id: `hm${i}`, channel: '106', carrier: 'China Mobile' };
      events.push({ ...common, event_id: `hs${i}`, type: 'send', ts: hour + i * 1000 });
      events.push({ ...common, event_id: `hd${i}`, type: 'delivery', status: 'delivered', ts: hour + i * 1000 + 500 });
    }
    events.push({ event_id: 'hcv', type: 'conversion', user_id: 'hostile_0', ts: hour + 60_000, revenue: 66 });
    const sender = (await createApiKey(wh, { workspace: WS, role: 'sender', name: 'sender', createdBy: 'test' })).key;
    assert.deepEqual((await call('POST', '/events', sender, events)).rejected, []);

    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    watched = await watchedPage(browser);
    page = watched.page;
    await signInThroughPage(page, address, analyst, '/campaigns');
    await chooseLanguage(page, 'en');
    await page.waitForSelector('.grid[data-loaded="true"]', { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (wh) await dropTestDatabase(wh);
  });

  it('shows each campaign’s and channel’s figures exactly as GET /v1/campaigns/roi answers, the hostile id as text', async () => {
    const byCampaign = await call('GET', `/campaigns/roi?${new URLSearchParams({ ...month, group_by: 'campaign' })}`, analyst);
    assert.ok(byCampaign.groups.length > 3 && byCampaign.totals.cost > 0 && byCampaign.totals.conversions > 0, 'the demo data has costs and conversions');
    const hostile = byCampaign.groups.find((g: { key: string }) => g.key === HOSTILE);
    assert.deepEqual([hostile.messages, hostile.conversions, hostile.revenue, hostile.cost], [3, 1, 66, 0.105]);
    assert.deepEqual(
      await cards(byCampaign.groups.length),
      byCampaign.groups.map((g: Figures & { key: string }) => [g.key || '(none)', ...shown(g)]),
    );
    assert.deepEqual(await page.$$eval('.roi-totals dd', (els) => els.map((e) => (e.textContent ?? '').trim())), shown(byCampaign.totals));
    assert.equal(await page.$$eval('.roi-cards img', (els) => els.length), 0, 'the hostile id is text, not markup');

    await page.selectOption('select[name="group-by"]', 'channel');
    const byChannel = await call('GET', `/campaigns/roi?${new URLSearchParams({ ...month, group_by: 'channel' })}`, analyst);
    assert.deepEqual(
      await cards(byChannel.groups.length),
      byChannel.groups.map((g: Figures & { key: string }) => [g.key || '(none)', ...shown(g)]),
    );
    await page.selectOption('select[name="group-by"]', 'campaign');
    await cards(byCampaign.groups.length);
    await page.waitForSelector('.grid[data-loaded="true"]');
    assert.equal(await page.$$eval('form.price-editor', (els) => els.length), 0, 'analysts do not set prices');
  });

  it('admins set new prices in the page: a new version for later sends, earlier costs unchanged; a refusal names the field', async () => {
    const before = await call('GET', `/campaigns/roi?${new URLSearchParams({ ...month, group_by: 'campaign' })}`, analyst);
    const other = await watchedPage(browser, { expected: (pathname, status) => pathname === '/v1/prices' && status === 400 });
    try {
      await signInThroughPage(other.page, address, admin, '/campaigns');
      await chooseLanguage(other.page, 'en');
      const p = other.page;
      await p.waitForSelector('form.price-editor');
      assert.equal(await p.inputValue('input[name="default-per-part"]'), '0.05');
      assert.deepEqual(await seriousAccessibilityProblems(p), [], 'the page with the price editor');
      await p.fill('input[name="default-per-part"]', '0.06');
      await p.click('button.add-rule');
      await p.fill('input[name="rule-4-channel"]', 'card');
      await p.fill('input[name="rule-4-carrier"]', 'China Unicom');
      await p.fill('input[name="rule-4-per-part"]', '0.0000001');
      await p.click('form.price-editor button[type="submit"]');
      await p.waitForSelector('form.price-editor [role="alert"]');
      assert.match((await p.textContent('form.price-editor [role="alert"]')) ?? '', /rules\[3\]\.per_part/);
      assert.equal((await call('GET', '/prices', admin)).versions.length, 1, 'nothing refused was stored');
      await p.fill('input[name="rule-4-per-part"]', '0.025');
      await p.click('form.price-editor button[type="submit"]');
      await p.waitForSelector('text=Prices saved (version 2).');
      const prices = await call('GET', '/prices', admin);
      assert.equal(prices.versions.length, 2);
      assert.equal(prices.versions[0].default_per_part, 0.06);
      assert.deepEqual(prices.versions[0].rules.at(-1), { channel: 'card', carrier: 'China Unicom', per_part: 0.025 });
      assert.ok(Math.abs(Date.parse(prices.versions[0].effective_from) - Date.now()) < 120_000, 'in effect from the save');
      // Every send of the range was sent before the change: its cost stays.
      const after = await call('GET', `/campaigns/roi?${new URLSearchParams({ ...month, group_by: 'campaign' })}`, analyst);
      assert.deepEqual(after.groups, before.groups);
      await other.assertClean();
    } finally {
      await other.page.context().close();
    }
  });

  it('has no serious accessibility problem, runs nothing hostile, and is screenshotted in both languages', async () => {
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'en');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'campaigns-en.png'), fullPage: true });
    await chooseLanguage(page, 'zh-CN');
    await page.waitForSelector('text=营销成本与 ROI');
    await page.waitForSelector('.grid[data-loaded="true"]');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'zh');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'campaigns-zh.png'), fullPage: true });
    await watched.assertClean();
  });
});
