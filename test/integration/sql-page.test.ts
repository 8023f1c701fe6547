/**
 * The SQL page in headless Chromium over a real listener, signed in through the page as an analyst: a query's table
 * and bar chart equal the API's answer to the same statement (asked by this test over HTTP); a saved query (with its
 * chart) is stored as the API reads it and opens again; DuckDB's error shows with its line and column; a hostile
 * saved name and a hostile stored value show as literal text and run nothing; no CSP violation, script error or
 * unexpected failed request; no serious accessibility problem; screenshots in both languages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../demo/seed.ts';
import { variantDir } from '../../sandbox/snapshot-layout.ts';
import { fetchCaller, type Caller } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, until, watchedPage, SCREENSHOTS, type WatchedPage } from '../helpers/web-app.ts';

const WS = 'sql_page';
const HOSTILE_NAME = '<img src=x onerror="window.__xss=1">';
const HOSTILE_CAMPAIGN = '<script>window.__xss=2</script>';
const number = (x: number) => new Intl.NumberFormat('en').format(x);

const t = await startTestApp('sql_page');
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let call: Caller;
let analyst = '';

const cells = (selector: string) => page.$$eval(selector, (tds) => tds.map((td) => td.textContent ?? ''));

async function runQuery(query: string) {
  await page.fill('#sql-query', query);
  await page.click('#sql-run');
  await until(page, `!!document.querySelector('#sql-output') || !!document.querySelector('#sql-error')`);
  await until(page, `!document.querySelector('#sql-run').disabled`);
}

describe('the SQL page', () => {
  before(async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    call = fetchCaller(address);
    analyst = await t.keyFor('analyst', WS);
    const admin = await t.keyFor('admin', WS);
    await seedDemo(t.wh, WS, { contacts: 300, weeks: 2, seed: 11 });
    const hostileEvents = Array.from({ length: 3 }, (_, i) => ({
      event_id: `hx${i}`,
      type: 'send',
      ts: Date.now() - 3600_000,
      user_id: `hx${i}`,
      campaign_id: HOSTILE_CAMPAIGN,
    }));
    assert.equal((await call('POST', '/v1/events', admin, hostileEvents)).status, 202);
    assert.equal((await call('POST', '/v1/sql/queries', analyst, { name: HOSTILE_NAME, query: 'SELECT 1 AS one' })).status, 201);
    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    // DuckDB's refusal of the faulty statement below is expected.
    watched = await watchedPage(browser, { viewport: { width: 1280, height: 1000 }, expected: (p, status) => p === '/v1/sql' && status === 400 });
    page = watched.page;
    await signInThroughPage(page, address, analyst, '/sql');
    await chooseLanguage(page, 'en');
    await page.waitForSelector('#sql-saved[data-loaded="true"]', { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(path.dirname(variantDir(t.config.sandbox.dir, t.wh.database, WS, 'full')), { recursive: true, force: true });
    await t.close();
  });

  it("shows the API's answer to the same statement as a table and as bars", async () => {
    const query = 'SELECT type, count(*) AS events FROM events GROUP BY type ORDER BY type';
    await runQuery(query);
    const answer = (await call('POST', '/v1/sql', analyst, { query })).json as { rows: [string, number][] };
    assert.ok(answer.rows.length >= 4);
    const shown = await page.$$eval('#sql-result tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(
      shown,
      answer.rows.map(([type, n]) => [type, number(n)]),
    );
    await page.selectOption('select[name="chart-type"]', 'bar');
    await page.waitForSelector('#sql-chart rect.bar');
    assert.equal(await page.inputValue('select[name="chart-x"]'), 'type');
    const bars = await page.$$eval('#sql-chart rect.bar', (rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    assert.deepEqual(
      bars,
      answer.rows.map(([, n]) => n),
    );
    // The tallest bar is the largest count.
    const heights = await page.$$eval('#sql-chart rect.bar', (rects) => rects.map((r) => Number(r.getAttribute('height'))));
    assert.equal(heights.indexOf(Math.max(...heights)), bars.indexOf(Math.max(...bars)));
  });

  it('saves the query with its chart as the API stores it, and opens it again', async () => {
    await page.fill('input[name="query-name"]', 'events by type');
    await page.click('#sql-save');
    await page.waitForSelector('.state.saved');
    const list = (await call('GET', '/v1/sql/queries?limit=100', analyst)).json.queries as {
      id: string;
      name: string;
      spec: { query: string; chart: unknown };
    }[];
    const saved = list.find((q) => q.name === 'events by type');
    assert.ok(saved);
    assert.deepEqual(saved.spec.chart, { type: 'bar', x: 'type', y: ['events'] });
    await page.waitForSelector(`#sql-saved li[data-id="${saved.id}"]`);
    // Open the hostile-named one (literal text, one text node), then ours again: its chart comes back.
    const names = await cells('#sql-saved li button.link');
    assert.ok(names.includes(HOSTILE_NAME));
    await page.click(`#sql-saved li[data-id="${saved.id}"] button.link`);
    await until(page, `document.querySelector('#sql-query').value.includes('GROUP BY type')`);
    await page.waitForSelector('#sql-chart rect.bar');
    assert.equal(await page.inputValue('select[name="chart-type"]'), 'bar');
  });

  it("shows DuckDB's error with its line and column, and hostile stored values as text", async () => {
    await runQuery('SELECT type,\n  nosuch_column\nFROM events');
    const error = (await page.textContent('#sql-error')) ?? '';
    assert.match(error, /nosuch_column/);
    assert.match(error, /\(line 2, column 3\)/);
    await page.selectOption('select[name="chart-type"]', 'table').catch(() => undefined);
    await runQuery("SELECT campaign_id, count(*) AS n FROM events WHERE campaign_id LIKE '<%' GROUP BY 1");
    const shown = await page.$$eval('#sql-result tbody td', (tds) => tds.map((td) => ({ text: td.textContent, elements: td.childElementCount })));
    assert.deepEqual(shown, [
      { text: HOSTILE_CAMPAIGN, elements: 0 },
      { text: '3', elements: 0 },
    ]);
  });

  it('has no serious accessibility problem, runs nothing hostile, and is pictured in both languages', async () => {
    await runQuery('SELECT type, count(*) AS events FROM events GROUP BY type ORDER BY type');
    await page.selectOption('select[name="chart-type"]', 'bar');
    await page.waitForSelector('#sql-chart rect.bar');
    assert.deepEqual(await seriousAccessibilityProblems(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sql-en.png'), fullPage: true });
    await chooseLanguage(page, 'zh-CN');
    await until(page, `document.querySelector('#sql-run').textContent.trim() === '运行'`);
    assert.deepEqual(await seriousAccessibilityProblems(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sql-zh.png'), fullPage: true });
    await watched.assertClean();
  });
});
