/**
 * The SQL page in headless Chromium over a real listener, signed in through the page as an analyst: a query's table
 * and bar chart equal the API's answer to the same statement (asked by this test over HTTP); a saved query (with its
 * chart) is stored as the API reads it and opens again; DuckDB's error shows with its line and column; a hostile
 * saved name and a hostile stored value show as literal text and run nothing; no CSP violation, script error or
 * unexpected failed request; no serious accessibility problem; screenshots in both languages. A query pinned from the
 * page (and others through the API) becomes a dashboard tile whose bars equal the API's answer, whose hostile name is
 * text, whose failure stays in its tile, and whose link opens it again on the SQL page.
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

  it("pins saved queries to the dashboard: a tile per query with the API's answer, its error, its link", async () => {
    await chooseLanguage(page, 'en');
    type Saved = { id: string; name: string; version: number; spec: { query: string; pinned: boolean } };
    const listed = async () => (await call('GET', '/v1/sql/queries?limit=100', analyst)).json.queries as Saved[];
    const byType = (await listed()).find((q) => q.name === 'events by type')!;
    const hostile = (await listed()).find((q) => q.name === HOSTILE_NAME)!;
    assert.equal(byType.spec.pinned, false);
    // Pinned on the SQL page: open it, tick the box, save (a new version).
    await page.click(`#sql-saved li[data-id="${byType.id}"] button.link`);
    await until(page, `document.querySelector('#sql-query').value.includes('GROUP BY type')`);
    await page.check('input[name="pinned"]');
    await page.click('#sql-save');
    await page.waitForSelector('.state.saved');
    const pinned = (await call('GET', `/v1/sql/queries/${byType.id}`, analyst)).json as Saved;
    assert.deepEqual([pinned.version, pinned.spec.pinned], [byType.version + 1, true]);
    // Two more through the API: the hostile-named one, and one DuckDB refuses.
    const put = await call('PUT', `/v1/sql/queries/${hostile.id}`, analyst, { name: HOSTILE_NAME, query: hostile.spec.query, pinned: true });
    assert.equal(put.status, 200);
    const broken = await call('POST', '/v1/sql/queries', analyst, { name: 'broken', query: 'SELECT nosuch_column FROM events', pinned: true });
    assert.equal(broken.status, 201);
    // An unpinned query gets no tile.
    assert.equal((await call('POST', '/v1/sql/queries', analyst, { name: 'not pinned', query: 'SELECT 7' })).status, 201);

    await page.evaluate("location.hash = '#/dashboard'");
    await page.waitForSelector('#sql-tiles[data-tiles-loaded="true"]', { timeout: 60_000 });
    await until(page, `document.querySelectorAll('.sql-tile[data-tile-loaded="true"]').length === 3`, 60_000);
    const tileIds = await page.$$eval('.sql-tile', (tiles) => tiles.map((tile) => tile.getAttribute('data-id')));
    assert.deepEqual(new Set(tileIds), new Set([byType.id, hostile.id, broken.json.id]));

    const tile = (id: string) => `.sql-tile[data-id="${id}"]`;
    const answer = (await call('POST', '/v1/sql', analyst, { query: pinned.spec.query })).json as { rows: [string, number][] };
    const bars = await page.$$eval(`${tile(byType.id)} rect.bar`, (rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    assert.deepEqual(
      bars,
      answer.rows.map(([, n]) => n),
    );
    const ticks = await page.$$eval(`${tile(byType.id)} text.tick`, (texts) => texts.map((x) => x.textContent));
    for (const [type] of answer.rows) assert.ok(ticks.includes(type), type);
    assert.match((await page.textContent(`${tile(byType.id)} .sql-tile-snapshot`)) ?? '', /^Data as of /);

    const name = await page.$eval(`${tile(hostile.id)} .sql-tile-name`, (h) => ({ text: h.textContent, elements: h.childElementCount }));
    assert.deepEqual(name, { text: HOSTILE_NAME, elements: 0 });
    assert.deepEqual(await page.$$eval(`${tile(hostile.id)} tbody td`, (tds) => tds.map((td) => td.textContent)), ['1']);
    assert.match((await page.textContent(`${tile(broken.json.id)} [role="alert"]`)) ?? '', /nosuch_column/);
    // The rest of the dashboard still drew.
    await page.waitForSelector('.grid[data-loaded="true"] .cards');

    assert.deepEqual(await seriousAccessibilityProblems(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-tiles-en.png'), fullPage: true });
    await chooseLanguage(page, 'zh-CN');
    await until(page, `document.querySelector('#sql-tiles h2').textContent === 'SQL 图块'`);
    assert.deepEqual(await seriousAccessibilityProblems(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-tiles-zh.png'), fullPage: true });

    // The tile's link opens the query on the SQL page, box ticked.
    await page.click(`${tile(byType.id)} a[href="#/sql/${byType.id}"]`);
    await until(page, `document.querySelector('input[name="query-name"]')?.value === 'events by type'`);
    assert.equal(await page.inputValue('#sql-query'), pinned.spec.query);
    assert.equal(await page.isChecked('input[name="pinned"]'), true);
    await watched.assertClean();
  });
});
