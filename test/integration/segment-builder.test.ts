/**
 * The audience builder and the segments list in headless Chromium over a real listener, signed in through the
 * page: a marketer builds "bought electronics within 30 days and not unsubscribed" entirely with the tree editor,
 * the JSON the page shows is that rule, the live count equals POST /v1/segments/preview for it, saving stores it
 * (read back through the API) and a second save is listed as version 2; the rule's JSON round-trips both ways
 * (invalid JSON keeps the tree; an invalid rule shows the API's message beside the node its path names); an
 * analyst sees the count but no save button; a hostile segment name is shown as text. No CSP violation, no script
 * error, no serious accessibility problem; screenshots of both pages in both languages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createApiKey } from '../../access/api-keys.ts';
import { buildApp, type App } from '../../api/app.ts';
import { seedDemo } from '../../demo/seed.ts';
import { saveSegment } from '../../segmentation/segments.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, until, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

/** A 400 preview of an unfinished rule is expected while it is being built; a saved segment without a schedule reads 404. */
const EXPECTED_REFUSALS = (pathname: string, status: number) =>
  (pathname === '/v1/segments/preview' && status === 400) || (pathname.endsWith('/schedule') && status === 404);

const WS = 'seg_ui';
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const EXPECTED = {
  all: [{ event: 'conversion', within_days: 30, where: [{ prop: 'category', op: 'eq', value: 'electronics' }] }, { not: { event: 'unsubscribe' } }],
};

/** The rule the JSON panel shows. */
const shownRule = async (page: Page) => JSON.parse(await page.inputValue('#rule-json'));

/** The rule the JSON panel shows once it equals `expected` (the panel follows the tree on the next render), or the last one shown. */
async function shownRuleBecomes(page: Page, expected: unknown): Promise<unknown> {
  const want = JSON.stringify(expected);
  for (let tries = 0; tries < 100; tries++) {
    const shown = await shownRule(page);
    if (JSON.stringify(shown) === want) return shown;
    await page.waitForTimeout(100);
  }
  return shownRule(page);
}

/** Waits until the preview answers for the rule now in the editor, and returns {rule, count} it shows. */
async function settledPreview(page: Page): Promise<{ rule: unknown; count: number }> {
  await until(
    page,
    `(() => { const p = document.getElementById('preview'); const t = document.getElementById('rule-json');
      return p && p.dataset.status === 'ready' && JSON.stringify(JSON.parse(p.dataset.rule)) === JSON.stringify(JSON.parse(t.value)); })()`,
  );
  const rule = JSON.parse((await page.getAttribute('#preview', 'data-rule'))!);
  return { rule, count: Number(await page.getAttribute('#preview-count', 'data-count')) };
}

describe('audience builder in headless Chromium', () => {
  let wh: Warehouse;
  let app: App;
  let browser: Browser;
  let address: string;
  let marketer: string;
  let analyst: string;
  let savedId = '';

  const call = async (key: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${address}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };

  before(async () => {
    wh = await openTestWarehouse('segment_builder');
    await seedDemo(wh, WS, { contacts: 600, weeks: 2, endMs: Date.now() });
    await saveSegment(wh, WS, { name: HOSTILE, rule: { tag: 'interest', value: 'electronics' } }, 'test');
    marketer = (await createApiKey(wh, { workspace: WS, role: 'marketer', name: 'm', createdBy: 'test' })).key;
    analyst = (await createApiKey(wh, { workspace: WS, role: 'analyst', name: 'a', createdBy: 'test' })).key;
    app = await buildApp({ config: testConfig('segment_builder'), warehouse: wh, logger: false });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await dropTestDatabase(wh);
  });

  it('a marketer builds, previews and saves "bought electronics within 30 days and not unsubscribed" through the UI', async () => {
    const { page, problems: errors } = await watchedPage(browser, { expected: EXPECTED_REFUSALS });
    await signInThroughPage(page, address, marketer, '/segments');
    await page.waitForSelector('#segments');
    // The hostile name is one text node inside its link: nothing was parsed or run.
    const names = await page.$$eval('#segments td:first-child a', (as) => as.map((a) => ({ text: a.textContent, elements: a.childElementCount })));
    assert.deepEqual(names, [{ text: HOSTILE, elements: 0 }]);
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the segments list');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segments-zh.png') });
    await chooseLanguage(page, 'en');
    await until(page, `document.querySelector('.page-title')?.textContent === 'Segments'`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segments-en.png') });

    await page.click('#new-segment');
    await page.waitForSelector('[data-path="rule"]');
    assert.equal(await page.getAttribute('#preview', 'data-status'), 'idle', 'an empty rule is not counted');
    // Bought electronics within 30 days: a behaviour condition with a filter.
    await page.selectOption('[data-path="rule"] > .rule-add select', 'event');
    await page.click('[data-path="rule"] > .rule-add .add-condition');
    const bought = '[data-path="rule.all[0]"]';
    await page.selectOption(`${bought} select[aria-label="Behaviour"]`, 'conversion');
    await page.fill(`${bought} label.inline input`, '30');
    await page.click(`${bought} .add-filter`);
    await page.fill(`${bought} .rule-filter input[list]`, 'category');
    await page.fill(`${bought} .rule-filter input[type="text"]:not([list])`, 'electronics');
    // And not unsubscribed: a group switched to "not" holding a behaviour condition.
    await page.click('[data-path="rule"] > .rule-add .add-group');
    await page.selectOption('[data-path="rule.all[1]"] .rule-mode', 'not');
    await page.selectOption('[data-path="rule.all[1]"] > .rule-add select', 'event');
    await page.click('[data-path="rule.all[1]"] > .rule-add .add-condition');
    await page.selectOption('[data-path="rule.all[1].not"] select[aria-label="Behaviour"]', 'unsubscribe');

    assert.deepEqual(await shownRuleBecomes(page, EXPECTED), EXPECTED, 'the JSON the page shows');
    const shown = await settledPreview(page);
    assert.deepEqual(shown.rule, EXPECTED);
    const api = await call(marketer, 'POST', '/v1/segments/preview', { rule: EXPECTED });
    assert.ok(api.count > 0, 'the demo data has electronics buyers');
    assert.equal(shown.count, api.count, 'the live count is the API answer');
    assert.equal(await page.$$eval('.preview-sample tbody tr', (rows) => rows.length), Math.min(10, api.count));
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the builder');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segment-builder-en.png') });

    await page.fill('#segment-name', 'Electronics buyers, 30 days');
    await page.click('#save-segment');
    await until(page, `/^#\\/segments\\/[0-9a-f-]{36}$/.test(location.hash)`);
    savedId = (await page.evaluate('location.hash')) as string;
    savedId = savedId.split('/').pop()!;
    await page.waitForSelector('#versions tr[data-version="1"]');
    const stored = await call(marketer, 'GET', `/v1/segments/${savedId}`);
    assert.deepEqual([stored.name, stored.spec.rule], ['Electronics buyers, 30 days', EXPECTED]);

    // A change saved again is version 2, listed with what changed.
    await page.fill('[data-path="rule.all[0]"] label.inline input', '14');
    await page.click('#save-segment');
    await page.waitForSelector('#versions tr[data-version="2"]');
    assert.match((await page.textContent('#versions tr[data-version="2"]')) ?? '', /Rule changed/);
    const versions = await call(marketer, 'GET', `/v1/segments/${savedId}/versions`);
    assert.deepEqual(
      versions.versions.map((v: { version: number; spec: { rule: { all: { within_days?: number }[] } } }) => [v.version, v.spec.rule.all[0]!.within_days]),
      [
        [2, 14],
        [1, 30],
      ],
    );
    await chooseLanguage(page, 'zh-CN');
    await until(page, `document.querySelector('.page-title')?.textContent === '编辑人群'`);
    await settledPreview(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segment-builder-zh.png') });
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('round-trips the rule JSON both ways and shows the API message beside the node an invalid rule names', async () => {
    const { page, problems: errors } = await watchedPage(browser, { expected: EXPECTED_REFUSALS });
    await signInThroughPage(page, address, marketer, '/segments/new');
    await chooseLanguage(page, 'en');
    await page.waitForSelector('#rule-json');
    // JSON → tree.
    await page.fill('#rule-json', JSON.stringify({ any: [{ tag: 'vip' }, { attr: 'city', op: 'eq', value: '上海' }] }));
    await page.waitForSelector('[data-path="rule.any[1]"][data-kind="attr"]');
    assert.equal(await page.inputValue('[data-path="rule.any[1]"] input[aria-label="City Value"]'), '上海');
    // Tree → JSON.
    await page.fill('[data-path="rule.any[1]"] input[aria-label="City Value"]', '北京');
    const edited = { any: [{ tag: 'vip' }, { attr: 'city', op: 'eq', value: '北京' }] };
    assert.deepEqual(await shownRuleBecomes(page, edited), edited);
    const shown = await settledPreview(page);
    assert.equal(shown.count, (await call(marketer, 'POST', '/v1/segments/preview', { rule: shown.rule })).count);
    // Text that is not JSON: an error, and the tree stays.
    await page.fill('#rule-json', '{"all": [');
    await page.waitForSelector('#rule-json-problem');
    assert.ok(await page.$('[data-path="rule.any[1]"][data-kind="attr"]'));
    assert.equal(await page.inputValue('#rule-json'), '{"all": [', 'the text is kept as typed');
    // A rule the API refuses: its message beside the condition its path names.
    await page.fill('#rule-json', JSON.stringify({ all: [{ tag: 'vip' }, { event: 'conversion', within_days: 0 }] }));
    const problem = await page.waitForSelector('[data-path="rule.all[1]"] .rule-problem');
    assert.match((await problem.textContent()) ?? '', /rule\.all\[1\]\.within_days.*whole number of days/);
    assert.equal(await page.$('[data-path="rule.all[0]"] .rule-problem'), null);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('edits a lifecycle stage leaf with ticks, and previews what the API counts', async () => {
    const { page, problems: errors } = await watchedPage(browser, { expected: EXPECTED_REFUSALS });
    await signInThroughPage(page, address, marketer, '/segments/new');
    await chooseLanguage(page, 'en');
    await page.waitForSelector('#rule-json');
    await page.fill('#rule-json', JSON.stringify({ all: [{ tag: 'vip' }, { lifecycle: { in: ['dormant', 'churned'] } }] }));
    await page.waitForSelector('[data-path="rule.all[1]"][data-kind="lifecycle"]');
    const ticked = () => page.$$eval('[data-path="rule.all[1]"] input[name="stage"]:checked', (boxes) => boxes.map((b) => b.getAttribute('value')));
    assert.deepEqual(await ticked(), ['churned', 'dormant']);
    // Untick one: a single stage is written plainly; tick another: a list in precedence order.
    await page.uncheck('[data-path="rule.all[1]"] input[value="dormant"]');
    assert.deepEqual(await shownRuleBecomes(page, { all: [{ tag: 'vip' }, { lifecycle: 'churned' }] }), { all: [{ tag: 'vip' }, { lifecycle: 'churned' }] });
    await page.check('[data-path="rule.all[1]"] input[value="new"]');
    const edited = { all: [{ tag: 'vip' }, { lifecycle: { in: ['new', 'churned'] } }] };
    assert.deepEqual(await shownRuleBecomes(page, edited), edited);
    const shown = await settledPreview(page);
    assert.equal(shown.count, (await call(marketer, 'POST', '/v1/segments/preview', { rule: edited })).count);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('an analyst opens a segment read-only: the count, no save button', async () => {
    const { page, problems: errors } = await watchedPage(browser, { expected: EXPECTED_REFUSALS });
    await signInThroughPage(page, address, analyst, '/segments');
    await page.waitForSelector('#segments');
    assert.equal(await page.$('#new-segment'), null);
    await page.click(`#segments tr[data-id="${savedId}"] a`);
    await page.waitForSelector('#versions tr[data-version="2"]');
    const shown = await settledPreview(page);
    assert.equal(shown.count, (await call(analyst, 'POST', '/v1/segments/preview', { rule: shown.rule })).count);
    assert.equal(await page.$('#save-segment'), null);
    assert.equal(await page.$$eval('.rule-tree:disabled', (f) => f.length), 1, 'the tree cannot be edited');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the builder, read-only');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
