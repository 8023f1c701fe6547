/**
 * The delivery-by-template page and template delivery drop alerts in headless Chromium over a real listener,
 * signed in through the page: on small demo data plus a registered template with a hostile name whose delivery
 * collapses in one hour, the page's figures equal the API's answer to the same request (also narrowed to one
 * carrier), unregistered demo templates are marked, the hostile name is literal text; the alerts page and the
 * alert's page show the template's drop, error codes and copy findings as the API has them. No CSP violation or
 * page error, no serious accessibility problem; screenshots of each page in both languages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../demo/seed.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

const WS = 'ws_tpl_pages';
const HOSTILE = '<img src=x onerror="window.__xss=7">双十一大促';
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Screenshots of the page in both languages (ending in English), each checked by axe first. */
async function shootBoth(page: Page, name: string, ready: string) {
  for (const [locale, suffix] of [
    ['zh-CN', 'zh'],
    ['en', 'en'],
  ] as const) {
    await chooseLanguage(page, locale);
    await page.waitForSelector(ready, { timeout: 30_000 });
    assert.deepEqual(await seriousAccessibilityProblems(page), [], `${name} in ${locale}`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true });
  }
}

describe('delivery by template and template alerts in headless Chromium', () => {
  let t: TestApp;
  let address: string;
  let browser: Browser;
  let analyst: string;
  let templateId: string;
  let alertId: string;

  const ok = async (key: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${address}${url}`, {
      method,
      headers: { ...bearer(key), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };

  before(async () => {
    t = await startTestApp('template_delivery_pages');
    address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    analyst = await t.keyFor('analyst', WS);
    const marketer = await t.keyFor('marketer', WS);
    const sender = await t.keyFor('sender', WS);
    const now = Date.now();
    await seedDemo(t.wh, WS, { contacts: 300, weeks: 2, endMs: now });
    const template = await ok(marketer, 'POST', '/v1/templates', { name: HOSTILE, text: '全网销量第一，贷款秒批', signature: '商城', kind: 'promotion' });
    templateId = template.id;

    // 150 messages at the same hour on each of the 7 days before (96 % delivered), then 150 with 30 % failing.
    const hour = Math.floor(now / HOUR) * HOUR - 3 * HOUR;
    const events = [];
    for (let day = 7; day >= 0; day--) {
      for (let i = 0; i < 150; i++) {
        const ts = hour - day * DAY + i * 1000;
        const failure = day === 0 && i % 10 < 3 ? 'MK:0019' : i % 25 === 0 ? 'E:TIMEOUT' : null;
        const common = { user_id: `tu${i}`, template_id: templateId, carrier: ['China Mobile', 'China Telecom'][i % 2] };
        events.push({ ...common, event_id: `ts${day}_${i}`, type: 'send', ts });
        events.push({
          ...common,
          event_id: `td${day}_${i}`,
          type: 'delivery',
          ts: ts + 500,
          status: failure ? 'failed' : 'delivered',
          error_code: failure ?? '',
        });
      }
    }
    assert.deepEqual((await ok(sender, 'POST', '/v1/events', events)).rejected, []);
    const rule = await ok(analyst, 'POST', '/v1/alert-rules', {
      name: 'template drops',
      metric: 'delivery_rate',
      kind: 'template_delivery_drop',
      min_volume: 100,
    });
    const evaluated = await ok(analyst, 'POST', '/v1/alerts/evaluate', { from: new Date(hour).toISOString(), to: new Date(hour + HOUR).toISOString() });
    const fired = evaluated.fired.filter((a: { spec: { rule_id: string; template?: { id: string } } }) => a.spec.rule_id === rule.id);
    assert.deepEqual(
      fired.map((a: { spec: { template: { id: string } } }) => a.spec.template.id),
      [templateId],
    );
    alertId = fired[0].id;

    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Every template and carrier row of the page's table as the API's fields read back from the page. */
  const pageRows = (page: Page) =>
    page.$$eval('#template-delivery tbody tr', (trs) =>
      trs.map((tr) => ({
        template: tr.getAttribute('data-template'),
        carrier: tr.getAttribute('data-carrier'),
        sends: tr.querySelector('.sends')!.textContent,
        delivered: tr.querySelector('.delivered')!.textContent,
        failed: tr.querySelector('.failed')!.textContent,
        rate: tr.querySelector('.rate')!.getAttribute('data-value'),
        codes: [...tr.querySelectorAll('.code')].map((c) => c.getAttribute('data-code')),
      })),
    );
  /** The same rows from the API's answer, formatted as the English page formats counts. */
  const apiRows = (answer: {
    templates: { template_id: string; carriers: { carrier: string }[] & Record<string, unknown>[] }[] & Record<string, unknown>[];
  }) => {
    const number = new Intl.NumberFormat('en');
    type Figures = { sends: number; delivered: number; failed: number; delivery_rate: number | null; error_codes: { code: string }[] };
    const row = (template: string, carrier: string | null, f: Figures) => ({
      template,
      carrier,
      sends: number.format(f.sends),
      delivered: number.format(f.delivered),
      failed: number.format(f.failed),
      rate: f.delivery_rate === null ? '' : String(f.delivery_rate),
      codes: f.error_codes.map((c) => c.code),
    });
    return answer.templates.flatMap((tpl) => [
      row(tpl.template_id, null, tpl as unknown as Figures),
      ...tpl.carriers.map((c) => row(tpl.template_id, c.carrier, c as unknown as Figures)),
    ]);
  };

  it("shows each template's and carrier's delivery as the API answers it, unregistered ids marked, the hostile name as text", async () => {
    const watched = await watchedPage(browser);
    const { page } = watched;
    await signInThroughPage(page, address, analyst, '/template-delivery');
    await chooseLanguage(page, 'en');
    const first = page.waitForResponse((r) => r.url().includes('/v1/delivery/by-template'));
    await page.reload();
    const asked = new URL((await first).url());
    await page.waitForSelector('#template-delivery');
    const answer = await ok(analyst, 'GET', `${asked.pathname}${asked.search}`);
    assert.ok(answer.templates.length >= 2, 'the registered template and the demo templates');
    assert.deepEqual(await pageRows(page), apiRows(answer));

    const mine = `#template-delivery tr.template[data-template="${templateId}"]`;
    assert.equal(await page.textContent(`${mine} .name`), HOSTILE);
    assert.equal(await page.$$eval(`${mine} .name *`, (e) => e.length), 0, 'no element made from the name');
    const demo = answer.templates.find((x: { in_registry: boolean }) => !x.in_registry);
    assert.equal(await page.textContent(`#template-delivery tr.template[data-template="${demo.template_id}"] .unregistered`), 'not in the registry');

    // Narrowed to one carrier: the page asks again and shows that carrier's rows only, as the API has them.
    const narrowed = page.waitForResponse((r) => r.url().includes('/v1/delivery/by-template') && r.url().includes('carrier='));
    await page.selectOption('select[name="carrier"]', 'China Telecom');
    const askedTelecom = new URL((await narrowed).url());
    await page.waitForSelector('#template-delivery tr.carrier[data-carrier="China Telecom"]');
    const telecom = await ok(analyst, 'GET', `${askedTelecom.pathname}${askedTelecom.search}`);
    assert.deepEqual(await pageRows(page), apiRows(telecom));
    assert.ok((await pageRows(page)).every((r) => r.carrier === null || r.carrier === 'China Telecom'));

    await page.selectOption('select[name="carrier"]', '');
    await shootBoth(page, 'template-delivery', '#template-delivery');
    await watched.assertClean();
    await page.context().close();
  });

  it("shows the alert's template, drop, error codes and findings on the alerts page and the alert's page", async () => {
    const watched = await watchedPage(browser);
    const { page } = watched;
    await signInThroughPage(page, address, analyst, '/alerts');
    await chooseLanguage(page, 'en');
    const detail = `#fired-alerts tr.template-detail[data-alert="${alertId}"]`;
    await page.waitForSelector(detail);
    const alert = await ok(analyst, 'GET', `/v1/alerts/${alertId}`);
    const template = alert.spec.template;
    const percent = new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 });
    const drop = await page.textContent(`${detail} .template-drop`);
    assert.ok(drop!.includes(`“${HOSTILE}”`), drop!);
    assert.ok(drop!.includes(`from ${percent.format(template.baseline_rate)} to ${percent.format(template.delivery_rate)}`), drop!);
    assert.deepEqual(
      await page.$$eval(`${detail} .error-codes li`, (lis) => lis.map((li) => li.getAttribute('data-code'))),
      template.top_error_codes.map((c: { code: string }) => c.code),
    );
    const findings = await page.$$eval(`${detail} .findings li`, (lis) => lis.map((li) => [li.getAttribute('data-code'), li.textContent!.trim()]));
    assert.deepEqual(
      findings.map(([code]) => code),
      template.findings.map((f: { code: string }) => f.code),
    );
    assert.ok(findings.every(([, text], i) => text!.endsWith(template.findings[i].message_en)));
    assert.ok(
      findings.some(([code]) => code === 'UNSUBSCRIBE_HINT_MISSING'),
      'no unsubscribe hint',
    );
    await shootBoth(page, 'alerts-template', detail);

    await page.click(`#fired-alerts tr[data-id="${alertId}"] td a`);
    await page.waitForSelector('.template-alert .findings');
    assert.equal(await page.$$eval('.template-alert .findings li', (lis) => lis.length), template.findings.length);
    await shootBoth(page, 'alert-template-series', '.template-alert .findings');

    // The rule editor makes a template rule with its own baseline settings, as the API then lists it.
    await page.click('a[href="#/alerts"]');
    await page.click('[data-testid="new-rule"]');
    const editor = '[data-testid="rule-editor"]';
    await page.fill(`${editor} input[name="name"]`, 'template drops, 3 days');
    await page.selectOption(`${editor} select[name="kind"]`, 'template_delivery_drop');
    await page.fill(`${editor} input[name="baseline_days"]`, '3');
    await page.fill(`${editor} input[name="max_drop"]`, '0.2');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the rule editor with a template rule');
    await page.click(`${editor} button[type="submit"]`);
    await page.waitForSelector('#alert-rules td:text("template drops, 3 days")');
    const { rules } = await ok(analyst, 'GET', '/v1/alert-rules');
    const saved = rules.find((r: { name: string }) => r.name === 'template drops, 3 days');
    assert.deepEqual(
      [saved?.spec.kind, saved?.spec.breakdown, saved?.spec.baseline_days, saved?.spec.max_drop],
      ['template_delivery_drop', 'template_id', 3, 0.2],
    );
    await watched.assertClean();
    await page.context().close();
  });
});
