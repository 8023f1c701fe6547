/**
 * The experiments and alerts pages in headless Chromium over a real listener, signed in through the page: a
 * marketer creates an experiment through the form (the planner answering beside it), starts it and allocates a
 * materialized audience to it; after clicks arrive the results page shows the API's p-values and rates for that
 * experiment; an analyst sees no create, start or allocate controls (the API refuses them); an alert fired in setup
 * is acknowledged through the page and the API then lists it acknowledged, and its series page shows the metric's
 * value at the fired bucket. Hostile stored names are shown as text, with no CSP violation or script error.
 * Screenshots of each page in both languages go to data/test/screenshots/.
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

const WS = 'ws_pages';
const HOSTILE = {
  segment: '<img src=x onerror="window.__xss=1">',
  experiment: '<svg onload="window.__xss=2"></svg><b>exp</b>',
  rule: '<iframe src="javascript:window.__xss=3"></iframe>',
  carrier: '<script>window.__xss=4</script>',
};

/** A page signed in as `key` at `route` that records what goes wrong (see watchedPage). */
async function signedInPage(browser: Browser, address: string, key: string, route: string) {
  const watched = await watchedPage(browser);
  await signInThroughPage(watched.page, address, key, route);
  return { page: watched.page, clean: watched.assertClean };
}

/** Screenshots of the page as it is in both languages (ending in English), each checked by axe first. */
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

describe('experiments and alerts pages in headless Chromium', () => {
  let t: TestApp;
  let address: string;
  let browser: Browser;
  let marketer: string;
  let analyst: string;
  let sender: string;
  let segmentId: string;
  let experimentId: string;
  let ruleId: string;

  const call = async (key: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${address}${url}`, {
      method,
      headers: { ...bearer(key), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  const ok = async (key: string, method: string, url: string, body?: unknown) => {
    const res = await call(key, method, url, body);
    assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${res.text}`);
    return res.json();
  };

  before(async () => {
    t = await startTestApp('experiment_pages');
    address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    marketer = await t.keyFor('marketer', WS);
    analyst = await t.keyFor('analyst', WS);
    sender = await t.keyFor('sender', WS);
    const now = Date.now();
    await seedDemo(t.wh, WS, { contacts: 300, weeks: 2, endMs: now });
    segmentId = (await ok(marketer, 'POST', '/v1/segments', { name: HOSTILE.segment, rule: { tag: 'interest', value: 'electronics' } })).id;
    const materialized = await ok(marketer, 'POST', `/v1/segments/${segmentId}/materialize`, {});
    assert.ok(materialized.size >= 20, JSON.stringify(materialized));

    // An alert that fires: 120 sends and 40 receipts on one carrier in a complete hour (delivery 33 %), caught by
    // a rule with a hostile name (and the built-in per-carrier rule).
    ruleId = (
      await ok(analyst, 'POST', '/v1/alert-rules', {
        name: HOSTILE.rule,
        metric: 'delivery_rate',
        kind: 'threshold',
        interval: 'hour',
        breakdown: 'carrier',
        threshold: { below: 0.9 },
        min_volume: 10,
      })
    ).id;
    const hour = Math.floor(now / 3600_000) * 3600_000 - 3 * 3600_000;
    const events = [];
    for (let i = 0; i < 120; i++) {
      const common = { user_id: `x${i}`, carrier: HOSTILE.carrier, message_id: `xm${i}` };
      events.push({ ...common, event_id: `xs${i}`, type: 'send', ts: hour + i * 1000 });
      if (i < 40) events.push({ ...common, event_id: `xd${i}`, type: 'delivery', status: 'delivered', ts: hour + i * 1000 + 500 });
    }
    assert.deepEqual((await ok(sender, 'POST', '/v1/events', events)).rejected, []);
    const evaluated = await ok(analyst, 'POST', '/v1/alerts/evaluate', { from: new Date(hour).toISOString(), to: new Date(hour + 3600_000).toISOString() });
    assert.ok(
      evaluated.fired.some((a: { spec: { rule_id: string } }) => a.spec.rule_id === ruleId),
      JSON.stringify(evaluated.fired),
    );

    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a marketer creates, starts and allocates an experiment through the page, and its results show the API’s figures', async () => {
    const { page, clean } = await signedInPage(browser, address, marketer, '/experiments');
    await chooseLanguage(page, 'en');
    // The demo's planted A/B test is listed.
    await page.waitForSelector('#experiments');
    await shootBoth(page, 'experiments', '#experiments');

    await page.click('[data-testid="new-experiment"]');
    await page.waitForSelector('[data-testid="experiment-form"]');
    // The planner answers as the inputs change: its figure equals the API's plan for the same question.
    await page.waitForSelector('[data-testid="plan"] [data-field="perArm"]');
    const plan = await ok(marketer, 'POST', '/v1/experiments/plan', { baseline_rate: 0.05, mde_rel: 0.1, alpha: 0.05, power: 0.8, variants: 2 });
    assert.equal(await page.textContent('[data-testid="plan"] [data-field="perArm"]'), new Intl.NumberFormat('en').format(plan.recipients_per_arm));
    await shootBoth(page, 'experiment-new', '[data-testid="plan"]');

    await page.fill('input[name="name"]', HOSTILE.experiment);
    await page.fill('input[name="variant-key-1"]', 'treatment');
    await page.check('input[name="metric"][value="click"]');
    await page.uncheck('input[name="metric"][value="conversion"]');
    await page.check('input[name="guardrail"][value="unsubscribe"]');
    await page.click('[data-testid="experiment-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="experiment-status"][data-status="draft"]');
    experimentId = decodeURIComponent(new URL(page.url()).hash.replace('#/experiments/', ''));
    const created = await ok(marketer, 'GET', `/v1/experiments/${experimentId}`);
    assert.equal(created.name, HOSTILE.experiment);
    assert.deepEqual(
      [created.spec.metrics, created.spec.guardrails, created.spec.variants.map((v: { key: string }) => v.key)],
      [['click'], ['unsubscribe'], ['control', 'treatment']],
    );
    assert.equal(await page.textContent('.page-title'), HOSTILE.experiment);

    await page.click('[data-testid="start"]');
    await page.waitForSelector('[data-testid="experiment-status"][data-status="running"]');
    assert.equal((await ok(marketer, 'GET', `/v1/experiments/${experimentId}`)).spec.status, 'running');
    // The audience picker shows the hostile segment name as one plain option.
    const options = await page.$$eval('select[name="audience"] option', (els) => els.map((e) => ({ text: e.textContent, elements: e.childElementCount })));
    assert.ok(
      options.some((o) => o.text === HOSTILE.segment && o.elements === 0),
      JSON.stringify(options),
    );
    await page.selectOption('select[name="audience"]', segmentId);
    await page.waitForSelector('select[name="audience-version"]');
    await page.click('[data-testid="allocate"] button[type="submit"]');
    await page.waitForSelector('[data-testid="allocated"]');

    // Clicks arrive after the exposure: 30 % of the control's members, 60 % of the treatment's.
    const members: Record<string, string[]> = {};
    for (const variant of ['control', 'treatment']) {
      const res = await fetch(`${address}/v1/audiences/${experimentId}.${variant}/export?format=ndjson`, { headers: bearer(marketer) });
      assert.equal(res.status, 200);
      members[variant] = (await res.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).user_id);
    }
    const clickAt = Date.now() + 60_000;
    const clicks = Object.entries(members).flatMap(([variant, users]) =>
      users
        .filter((_, i) => i % 10 < (variant === 'control' ? 3 : 6))
        .map((user_id, i) => ({ event_id: `click-${variant}-${i}`, type: 'click', user_id, ts: clickAt, experiment_id: experimentId, variant })),
    );
    assert.deepEqual((await ok(sender, 'POST', '/v1/events', clicks)).rejected, []);

    await page.reload();
    await page.waitForSelector('[data-loaded="true"][data-metric="click"] #variants', { timeout: 30_000 });
    const api = await ok(marketer, 'GET', `/v1/experiments/${experimentId}/results?metric=click`);
    const treatment = api.variants[1];
    assert.ok(treatment.p_value > 0 && treatment.p_value < 1, JSON.stringify(treatment));
    assert.equal(
      api.variants.reduce((s: number, v: { n: number }) => s + v.n, 0),
      members.control!.length + members.treatment!.length,
    );
    const cell = (variant: string, field: string) => page.getAttribute(`#variants tr[data-variant="${variant}"] [data-field="${field}"]`, 'data-value');
    for (const v of api.variants) for (const field of ['n', 'successes', 'rate']) assert.equal(Number(await cell(v.key, field)), v[field], `${v.key} ${field}`);
    for (const field of ['p_value', 'p_value_adjusted', 'sequential_p_value', 'prob_to_beat_control', 'uplift_rel'])
      assert.equal(Number(await cell('treatment', field)), treatment[field], field);
    // What the reader sees: the rate as a percentage and the p-value to three significant digits.
    const shownP = (await page.textContent('#variants tr[data-variant="treatment"] [data-field="p_value"]')) ?? '';
    const expectedP =
      treatment.p_value < 0.001 ? treatment.p_value.toExponential(2) : new Intl.NumberFormat('en').format(Number(treatment.p_value.toPrecision(3)));
    assert.equal(shownP, expectedP);
    assert.equal(await page.textContent('[data-testid="verdict"]'), api.verdict);
    assert.equal(treatment.sequential_looks.at(-1).p_value, treatment.sequential_p_value);
    assert.ok(await page.isVisible('#uplift-intervals canvas'));
    assert.ok(await page.isVisible('#sequential canvas'));
    assert.ok(await page.isVisible('#guardrails'));
    await shootBoth(page, 'experiment-results', '#variants');
    await clean();
    await page.context().close();
  });

  it('an analyst reads the results with no create, start or allocate controls (the API refuses them too)', async () => {
    assert.equal(
      (
        await call(analyst, 'POST', '/v1/experiments', {
          name: 'x',
          variants: [
            { key: 'a', weight: 1 },
            { key: 'b', weight: 1 },
          ],
        })
      ).status,
      403,
    );
    assert.equal((await call(analyst, 'POST', `/v1/experiments/${experimentId}/stop`)).status, 403);
    const { page, clean } = await signedInPage(browser, address, analyst, '/experiments');
    await page.waitForSelector('#experiments');
    assert.equal(await page.$('[data-testid="new-experiment"]'), null);
    const names = await page.$$eval('#experiments td a', (els) => els.map((e) => ({ text: e.textContent, elements: e.childElementCount })));
    assert.ok(
      names.some((n) => n.text === HOSTILE.experiment && n.elements === 0),
      JSON.stringify(names),
    );
    await page.click(`#experiments tr[data-id="${experimentId}"] td a`);
    await page.waitForSelector('#variants');
    assert.deepEqual(await page.$$('[data-testid="start"], [data-testid="stop"], [data-testid="allocate"], .allocate-panel'), []);
    await page.goto(`${address}/#/experiments/new`);
    await page.waitForSelector('.state.error');
    assert.equal(await page.$('[data-testid="experiment-form"]'), null);
    await clean();
    await page.context().close();
  });

  it('acknowledges a fired alert through the page, draws its series, and lets an analyst save a rule', async () => {
    const { page, clean } = await signedInPage(browser, address, marketer, '/alerts');
    await chooseLanguage(page, 'en');
    await page.waitForSelector('#fired-alerts');
    const { alerts } = await ok(marketer, 'GET', '/v1/alerts?status=open');
    const fired = alerts.find((a: { spec: { rule_id: string } }) => a.spec.rule_id === ruleId);
    assert.ok(fired);
    const row = `#fired-alerts tr[data-id="${fired.id}"]`;
    const cells = await page.$$eval(`${row} td`, (tds) =>
      tds.map((td) => ({ text: td.textContent, elements: td.querySelectorAll('*:not(a):not(button)').length })),
    );
    assert.equal(cells[0]!.text, fired.name);
    assert.ok(fired.name.includes(HOSTILE.carrier));
    assert.equal(cells[2]!.text, HOSTILE.carrier);
    assert.ok(cells.every((c) => c.elements === 0));
    // A marketer may acknowledge but not change rules.
    assert.equal(await page.$('[data-testid="new-rule"]'), null);
    assert.ok(((await page.textContent('#alert-rules')) ?? '').includes(HOSTILE.rule));
    await shootBoth(page, 'alerts', '#fired-alerts');

    // Its series around the bucket that fired: the value drawn at that bucket is the API's.
    await page.click(`${row} td a`);
    await page.waitForSelector('#alert-series canvas');
    const series = await ok(
      marketer,
      'GET',
      `/v1/metrics?metric=delivery_rate&interval=hour&breakdown=carrier&from=${new Date(Date.parse(fired.spec.bucket) - 3600_000).toISOString()}&to=${new Date(Date.parse(fired.spec.bucket) + 3600_000).toISOString()}`,
    );
    const point = series.series.find(
      (p: { bucket: string; group: string }) => Date.parse(p.bucket) === Date.parse(fired.spec.bucket) && p.group === HOSTILE.carrier,
    );
    assert.equal(Number(await page.getAttribute('[data-field="current"]', 'data-value')), point.rate);
    assert.equal(Number(await page.getAttribute('[data-field="observed"]', 'data-value')), fired.spec.observed);
    assert.equal(await page.textContent('.page-title'), `${fired.name} · ${HOSTILE.carrier}`);
    await shootBoth(page, 'alert-series', '#alert-series canvas');

    await page.click('a[href="#/alerts"]');
    await page.click(`${row} button.ack`);
    await page.waitForSelector(row, { state: 'detached' });
    const acked = await ok(marketer, 'GET', '/v1/alerts?status=acked');
    assert.ok(acked.alerts.some((a: { id: string; spec: { status: string } }) => a.id === fired.id && a.spec.status === 'acked'));
    await clean();
    await page.context().close();

    // An analyst saves a new rule with the editor; the API then lists it as typed.
    const analystPage = await signedInPage(browser, address, analyst, '/alerts');
    await chooseLanguage(analystPage.page, 'en');
    await analystPage.page.click('[data-testid="new-rule"]');
    await analystPage.page.fill('[data-testid="rule-editor"] input[name="name"]', 'clicks low');
    await analystPage.page.selectOption('[data-testid="rule-editor"] select[name="metric"]', 'click_rate');
    await analystPage.page.selectOption('[data-testid="rule-editor"] select[name="interval"]', 'day');
    await analystPage.page.fill('[data-testid="rule-editor"] input[name="below"]', '0.05');
    await analystPage.page.fill('[data-testid="rule-editor"] input[name="cooldown_hours"]', '12');
    await analystPage.page.click('[data-testid="rule-editor"] button[type="submit"]');
    await analystPage.page.waitForSelector('#alert-rules td:text("clicks low")');
    const { rules } = await ok(analyst, 'GET', '/v1/alert-rules');
    const saved = rules.find((r: { name: string }) => r.name === 'clicks low');
    assert.deepEqual([saved?.spec.metric, saved?.spec.interval, saved?.spec.threshold, saved?.spec.cooldown_hours], ['click_rate', 'day', { below: 0.05 }, 12]);
    assert.deepEqual(await seriousAccessibilityProblems(analystPage.page), [], 'the rule editor');
    await analystPage.clean();
    await analystPage.page.context().close();
  });
});
