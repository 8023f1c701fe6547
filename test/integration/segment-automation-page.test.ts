/**
 * The segment page's "keep it current" panel in headless Chromium over a real listener, signed in through the page:
 * a marketer sets a refresh schedule (the next run the page shows is GET /schedule's), sees the API's refusal beside
 * the field it names (cron, url), adds a webhook (its secret shown once in a read-only field; GET never has it) with a
 * hostile description shown as text, deletes one (asked twice), turns realtime on for a qualifying rule and sees the
 * refusal for a rule that does not qualify; an analyst sees the schedule and realtime but no webhooks. No CSP
 * violation, no script error, no serious accessibility problem; screenshots in both languages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createApiKey } from '../../access/api-keys.ts';
import { buildApp, type App } from '../../api/app.ts';
import { seedDemo } from '../../demo/seed.ts';
import { refreshRealtimeSegment } from '../../segmentation/realtime-worker.ts';
import { saveSegment } from '../../segmentation/segments.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse, testConfig } from '../helpers/warehouse.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, until, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

const WS = 'seg_auto';
const HOSTILE = '<img src=x onerror="window.__xss=1">';

/** Expected refusals: "no schedule yet" (404), and the 400s the test provokes on purpose. */
const EXPECTED = (pathname: string, status: number) =>
  (pathname.endsWith('/schedule') && (status === 404 || status === 400)) ||
  (pathname.endsWith('/webhooks') && status === 400) ||
  (pathname.endsWith('/realtime') && status === 400);

describe('segment page: keep it current (schedule, webhooks, realtime) in headless Chromium', () => {
  let wh: Warehouse;
  let app: App;
  let browser: Browser;
  let address: string;
  let marketer: string;
  let analyst: string;
  let tagged = '';
  let rfm = '';
  let receiver: http.Server;
  let receiverUrl = '';
  let pings = 0;

  const call = async (key: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${address}/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  before(async () => {
    wh = await openTestWarehouse('segment_automation_page');
    await seedDemo(wh, WS, { contacts: 300, weeks: 2, endMs: Date.now() });
    tagged = (await saveSegment(wh, WS, { name: 'electronics fans', rule: { tag: 'interest', value: 'electronics' } }, 'test')).id;
    rfm = (
      await saveSegment(wh, WS, { name: 'champions', rule: { all: [{ tag: 'interest', value: 'electronics' }, { rfm: { segment: 'champions' } }] } }, 'test')
    ).id;
    marketer = (await createApiKey(wh, { workspace: WS, role: 'marketer', name: 'm', createdBy: 'test' })).key;
    analyst = (await createApiKey(wh, { workspace: WS, role: 'analyst', name: 'a', createdBy: 'test' })).key;
    // A local receiver for "send test", allowed like an operator would (http, loopback); other private ranges stay refused.
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        pings++;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks/crm`;
    const config = testConfig('segment_automation_page');
    const webhooks = { ...config.webhooks, allowHttp: true, allowedNetworks: ['127.0.0.0/8'] };
    app = await buildApp({ config: { ...config, webhooks }, warehouse: wh, logger: false });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    receiver?.close();
    await dropTestDatabase(wh);
  });

  it('a marketer schedules, adds and deletes webhooks and turns realtime on; refusals shown beside their field', async () => {
    const watched = await watchedPage(browser, { expected: EXPECTED });
    const { page } = watched;
    await signInThroughPage(page, address, marketer, `/segments/${tagged}`);
    await page.waitForSelector('#segment-schedule .state.empty');
    await chooseLanguage(page, 'en');
    await until(page, `document.querySelector('#automation-title')?.textContent === 'Keep it current'`);

    // A schedule more often than the minimum interval: the API's message beside the cron field, nothing saved.
    await page.fill('#schedule-cron', '* * * * *');
    await page.click('#save-schedule');
    await page.waitForSelector('#schedule-cron-error');
    assert.equal((await call(marketer, 'GET', `/segments/${tagged}/schedule`)).status, 404);

    await page.fill('#schedule-cron', '0 6 * * *');
    await page.fill('#schedule-keep', '5');
    await page.click('#save-schedule');
    await page.waitForSelector('#schedule-next[data-next]:not([data-next=""])');
    const schedule = (await call(marketer, 'GET', `/segments/${tagged}/schedule`)).body;
    assert.deepEqual([schedule.cron, schedule.keep_versions, schedule.enabled], ['0 6 * * *', 5, true]);
    assert.equal(await page.getAttribute('#schedule-next', 'data-next'), schedule.next_run_at);
    const shownNext = await page.textContent('#schedule-next');
    const expectedNext = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: schedule.timezone }).format(
      new Date(schedule.next_run_at),
    );
    assert.ok(shownNext?.includes(expectedNext), `${shownNext} shows ${expectedNext}`);
    assert.ok((await page.textContent('#schedule-zone'))?.includes(schedule.timezone));
    assert.equal(await page.inputValue('#schedule-keep'), '5');

    // A webhook the strict policy refuses: the message beside the url field.
    await page.fill('#webhook-url', 'http://10.1.2.3/hook');
    await page.click('#add-webhook');
    await page.waitForSelector('#webhook-url-error');
    assert.match((await page.textContent('#webhook-url-error'))!, /private/);

    await page.fill('#webhook-url', receiverUrl);
    await page.fill('#webhook-description', HOSTILE);
    await page.click('#add-webhook');
    await page.waitForSelector('#webhook-secret');
    const secret = await page.inputValue('#webhook-secret');
    assert.match(secret, /^whsec_/);
    assert.equal(await page.evaluate(`document.getElementById('webhook-secret').readOnly`), true);
    const listed = (await call(marketer, 'GET', `/segments/${tagged}/webhooks`)).body.webhooks;
    assert.equal(listed.length, 1);
    assert.deepEqual([listed[0].url, listed[0].description, listed[0].secret], [receiverUrl, HOSTILE, undefined]);
    assert.ok(!JSON.stringify(listed).includes(secret), 'GET never has the secret');
    await until(page, `document.querySelectorAll('#webhooks tbody tr').length === 1`);
    const description = await page.$eval('#webhooks .webhook-description', (td) => ({ text: td.textContent, elements: td.childElementCount }));
    assert.deepEqual(description, { text: HOSTILE, elements: 0 });

    // Send test: one signed ping now; the webhook's deliveries listed as the API lists them.
    await page.click('#webhooks tbody tr button[aria-label^="Send a test"]');
    await page.waitForSelector('#webhook-deliveries tbody tr');
    assert.equal(pings, 1);
    const deliveries = (await call(marketer, 'GET', `/segments/${tagged}/webhooks/${listed[0].id}/deliveries`)).body.deliveries;
    assert.deepEqual(
      deliveries.map((d: { event: string; attempts: number; delivered: boolean }) => [d.event, String(d.attempts), d.delivered ? 'Yes' : 'No']),
      await page.$$eval('#webhook-deliveries tbody tr', (trs) => trs.map((tr) => [1, 2, 3].map((i) => tr.children[i]!.textContent))),
    );
    assert.equal(deliveries[0].delivered, true);

    // Realtime on for a rule of tags: enabled as GET says, and the (empty) change list.
    await page.click('#realtime-enabled');
    await until(page, `document.getElementById('realtime-enabled')?.checked === true && !document.getElementById('realtime-enabled').disabled`);
    await until(page, `!!document.querySelector('#segment-realtime .state.empty, #realtime-changes')`);
    const realtime = (await call(marketer, 'GET', `/segments/${tagged}/realtime`)).body;
    assert.deepEqual([realtime.enabled, realtime.qualifies], [true, true]);

    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the panel in English');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segment-automation-en.png'), fullPage: true });
    await chooseLanguage(page, 'zh-CN');
    await until(page, `document.querySelector('#automation-title')?.textContent === '自动更新'`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segment-automation-zh.png'), fullPage: true });
    await chooseLanguage(page, 'en');

    // Deleting is asked twice: the first press only asks.
    await page.click('#webhooks tbody tr button.danger');
    assert.equal((await call(marketer, 'GET', `/segments/${tagged}/webhooks`)).body.webhooks.length, 1);
    await page.click('#webhooks .confirm button.danger');
    await page.waitForSelector('#segment-webhooks .state.empty');
    assert.deepEqual((await call(marketer, 'GET', `/segments/${tagged}/webhooks`)).body.webhooks, []);

    // A rule with an RFM leaf does not qualify: the reason is shown beside the flag, and turning it on is refused.
    await page.goto(`${address}/#/segments/${rfm}`);
    await page.waitForSelector('#realtime-reason');
    const status = (await call(marketer, 'GET', `/segments/${rfm}/realtime`)).body;
    assert.equal(status.qualifies, false);
    assert.ok((await page.textContent('#realtime-reason'))?.includes(status.reason));
    await page.click('#realtime-enabled');
    await until(page, `document.getElementById('realtime-reason')?.dataset.field === 'rule.all[1].rfm'`);
    assert.equal(await page.isChecked('#realtime-enabled'), false);
    assert.equal((await call(marketer, 'GET', `/segments/${rfm}/realtime`)).body.enabled, false);
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the refusal');
    await watched.assertClean();
  });

  it('the last changes of a realtime segment are the change stream’s newest, newest first', async () => {
    // Nobody clicks 30 times a day in the demo data: the one who does now enters.
    const busy = (await saveSegment(wh, WS, { name: 'busy clickers', rule: { event: 'click', within_days: 1, count: { op: 'gte', value: 30 } } }, 'test')).id;
    assert.equal((await call(marketer, 'PUT', `/segments/${busy}/realtime`, { enabled: true })).status, 200);
    const sender = (await createApiKey(wh, { workspace: WS, role: 'sender', name: 's', createdBy: 'test' })).key;
    const now = Date.now();
    const clicks = Array.from({ length: 30 }, (_, i) => ({ event_id: `busy${i}`, type: 'click', ts: now - i * 60_000, user_id: 'u0000007' }));
    assert.equal((await call(sender, 'POST', '/events', clicks)).status, 202);
    await refreshRealtimeSegment(wh, WS, busy, { sweepMs: 60_000 });
    const { changes } = (await call(marketer, 'GET', `/segments/${busy}/changes?since=0`)).body;
    assert.deepEqual(
      changes.map((c: { user_id: string; change: string }) => [c.user_id, c.change]),
      [['u0000007', 'entered']],
    );

    const watched = await watchedPage(browser, { expected: EXPECTED });
    const { page } = watched;
    await signInThroughPage(page, address, marketer, `/segments/${busy}`);
    await chooseLanguage(page, 'en');
    await page.waitForSelector('#realtime-changes tbody tr');
    const shown = await page.$$eval('#realtime-changes tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-seq'), tr.children[0]!.textContent]));
    assert.deepEqual(shown, [[String(changes[0].seq), 'Entered']]);
    assert.equal(await page.isChecked('#realtime-enabled'), true);
    await watched.assertClean();
  });

  it('an analyst reads the schedule and realtime state, without webhooks or controls', async () => {
    const watched = await watchedPage(browser, { expected: EXPECTED });
    const { page } = watched;
    await signInThroughPage(page, address, analyst, `/segments/${tagged}`);
    await page.waitForSelector('#schedule-next');
    assert.equal(await page.inputValue('#schedule-cron'), '0 6 * * *');
    assert.equal(await page.$('#save-schedule'), null);
    assert.equal(await page.$('#segment-webhooks'), null, 'webhook URLs may carry tokens: hidden from analysts');
    assert.equal(await page.isDisabled('#realtime-enabled'), true);
    assert.equal(await page.isChecked('#realtime-enabled'), true);
    assert.deepEqual(await seriousAccessibilityProblems(page), []);
    await watched.assertClean();
  });
});
