/**
 * The analytics pages in headless Chromium over a real listener, signed in through the page as an analyst: the
 * dashboard's filters and compare-to-previous, the funnel builder, the metric explorer and the send-time heatmap.
 * Every number checked on a page equals the API's answer to the same question, asked by this test over HTTP;
 * hostile carrier and campaign values (stored through the API) show as literal text in pickers, tables and groups
 * and run nothing; no CSP violation, script error or failed request; no serious accessibility problem; screenshots
 * of each page in both languages go to data/test/screenshots/.
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
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

const WS = 'analytics_pages';
const DAY = 86_400_000;
const HOSTILE = { carrier: '<script>window.__xss=1</script>', campaign: '<img src=x onerror="window.__xss=2">' };

/** The page's default range (the last 30 days) and a 7-day one, as the page computes them (UTC days). */
// The workspace's zone is Asia/Shanghai (+08:00, no daylight saving): the pages' days run from 16:00 UTC to 16:00 UTC.
const SHANGHAI = 8 * 3_600_000;
const isoDay = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 10);
const rangeOf = (fromDay: string, toDay: string) => ({
  from: new Date(Date.parse(`${fromDay}T00:00:00Z`) - SHANGHAI).toISOString(),
  to: new Date(Date.parse(`${toDay}T00:00:00Z`) + DAY - SHANGHAI).toISOString(),
});

/** The page's number formats in English. */
const number = (x: number) => new Intl.NumberFormat('en').format(x);
const percent = (x: number | null) =>
  x === null ? '–' : new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(x);
const duration = (seconds: number | null) => {
  if (seconds === null) return '–';
  const [unit, size] = (
    [
      ['d', 86_400],
      ['h', 3600],
      ['min', 60],
    ] as const
  ).find(([, s]) => Math.abs(seconds) >= s) ?? ['s', 1];
  return `${number(Number((seconds / size).toFixed(1)))} ${unit}`;
};

describe('analytics pages in headless Chromium', () => {
  let wh: Warehouse;
  let app: App;
  let browser: Browser;
  let address: string;
  let analyst: string;
  let page: Page;
  let problems: string[] = [];
  const today = Date.now();
  const month = rangeOf(isoDay(today - 29 * DAY), isoDay(today));
  const week = rangeOf(isoDay(today - 6 * DAY), isoDay(today));
  let segmentId: string;

  const call = async (method: string, url: string, body?: unknown, key = analyst) => {
    const res = await fetch(`${address}/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'accept-language': 'en', ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const get = (url: string, query: Record<string, string>) => call('GET', `${url}?${new URLSearchParams(query)}`);

  /**
   * Waits until `selector`'s text (spaces collapsed) is `expected`, else fails showing the text it has. Polled from
   * here: a predicate evaluated in the page would be a string eval, which the page's CSP rightly refuses.
   */
  async function textBecomes(selector: string, expected: string) {
    const now = async () => ((await page.textContent(selector).catch(() => null)) ?? '').replace(/\s+/g, ' ').trim();
    for (let tries = 0; tries < 150 && (await now()) !== expected; tries++) await page.waitForTimeout(200);
    assert.equal(await now(), expected, selector);
  }
  const texts = (selector: string) => page.$$eval(selector, (els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));

  async function checkPage(name: string) {
    assert.deepEqual(await seriousAccessibilityProblems(page), [], name);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-en.png`), fullPage: true });
    await chooseLanguage(page, 'zh-CN');
    await textBecomes('header.top nav a', '数据看板');
    await page.waitForTimeout(300);
    assert.deepEqual(await seriousAccessibilityProblems(page), [], `${name} (zh)`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-zh.png`), fullPage: true });
    await chooseLanguage(page, 'en');
    await textBecomes('header.top nav a', 'Dashboard');
  }

  before(async () => {
    wh = await openTestWarehouse('analytics_pages');
    await seedDemo(wh, WS, { contacts: 600, weeks: 3, endMs: today });
    segmentId = (await saveSegment(wh, WS, { name: '电子产品兴趣', rule: { tag: 'interest', value: 'electronics' } }, 'test')).id;
    analyst = (await createApiKey(wh, { workspace: WS, role: 'analyst', name: 'browser', createdBy: 'test' })).key;
    const sender = (await createApiKey(wh, { workspace: WS, role: 'sender', name: 'sender', createdBy: 'test' })).key;
    app = await buildApp({ config: testConfig('analytics_pages'), warehouse: wh, logger: false });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    // Hostile names arrive as any sender would store them: 40 sends, 30 receipts, 9 clicks in the last hours.
    const hour = Math.floor(today / 3600_000) * 3600_000 - 3 * 3600_000;
    const events = [];
    for (let i = 0; i < 40; i++) {
      const common = { user_id: `hostile_${i}`, carrier: HOSTILE.carrier, campaign_id: HOSTILE.campaign, message_id: `hm${i}`, channel: '106' };
      events.push({ ...common, event_id: `hs${i}`, type: 'send', ts: hour + i * 1000 });
      if (i < 30) events.push({ ...common, event_id: `hd${i}`, type: 'delivery', status: 'delivered', ts: hour + i * 1000 + 500 });
      if (i < 9) events.push({ ...common, event_id: `hc${i}`, type: 'click', ts: hour + i * 1000 + 60_000 });
    }
    assert.deepEqual((await call('POST', '/events', events, sender)).rejected, []);

    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    ({ page, problems } = await watchedPage(browser));
    await signInThroughPage(page, address, analyst);
    await chooseLanguage(page, 'en');
    await page.waitForSelector('[data-loaded="true"]', { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (wh) await dropTestDatabase(wh);
  });

  it('dashboard: filters give the API’s cards for that filter; compare shows the previous period’s summary', async () => {
    // The pickers list the data's values, the hostile ones as plain option text.
    const carriers = await get('/events/values', { column: 'carrier', ...month, limit: '100' });
    await page.waitForSelector(`select[name="carrier"] option:nth-child(${carriers.values.length + 1})`, { state: 'attached' });
    assert.deepEqual(await texts('select[name="carrier"] option'), ['All', ...carriers.values.map((v: { value: string }) => v.value)]);
    assert.ok((await texts('select[name="campaign_id"] option')).includes(HOSTILE.campaign));

    const cardsShow = async (cards: { metric: string; numerator: number; denominator: number; rate: number | null }[]) => {
      for (const c of cards) {
        await textBecomes(`.card[data-metric="${c.metric}"] .counts`, `${number(c.numerator)} / ${number(c.denominator)}`);
        if (c.metric !== 'revenue') await textBecomes(`.card[data-metric="${c.metric}"] .value`, percent(c.rate));
      }
    };
    const hostileFilter = JSON.stringify([{ prop: 'campaign_id', op: 'eq', value: HOSTILE.campaign }]);
    const hostileCards = (await get('/metrics/summary', { ...month, filters: hostileFilter })).cards;
    assert.deepEqual(
      hostileCards.filter((c: { metric: string }) => c.metric === 'delivery_rate' || c.metric === 'click_rate').map((c: { numerator: number }) => c.numerator),
      [30, 9],
    );
    await page.selectOption('select[name="campaign_id"]', HOSTILE.campaign);
    await cardsShow(hostileCards);

    // Another filter, a 7-day range, compared with the 7 days before it.
    const carrier = carriers.values.find((v: { value: string }) => v.value !== HOSTILE.carrier).value;
    await page.selectOption('select[name="campaign_id"]', '');
    await page.selectOption('select[name="carrier"]', carrier);
    await page.fill('input[name="from"]', isoDay(today - 6 * DAY));
    await page.check('input[name="compare"]');
    const filters = JSON.stringify([{ prop: 'carrier', op: 'eq', value: carrier }]);
    const now = (await get('/metrics/summary', { ...week, filters })).cards;
    const before = (await get('/metrics/summary', { from: new Date(Date.parse(week.from) - 7 * DAY).toISOString(), to: week.from, filters })).cards;
    assert.ok(before.find((c: { metric: string }) => c.metric === 'delivery_rate').denominator > 0, 'the previous week has data');
    await cardsShow(now);
    for (const c of before) {
      await textBecomes(`.card[data-metric="${c.metric}"] .previous-counts`, `(${number(c.numerator)} / ${number(c.denominator)})`);
      if (c.metric !== 'revenue') await textBecomes(`.card[data-metric="${c.metric}"] .previous-value`, percent(c.rate));
    }
    await page.waitForSelector('.grid[data-loaded="true"]');
    await checkPage('dashboard-compare');
  });

  it('funnels: a 3-step funnel with a step filter, a window, an exclusion and a breakdown built in the page equals POST /v1/funnels', async () => {
    await page.click('header.top nav a[href="#/funnels"]');
    await page.waitForSelector('form.funnel-builder');
    const channels = await get('/events/values', { column: 'channel', ...month });
    const channel = channels.values[0].value;
    await page.selectOption('select[name="step-1-type"]', 'send');
    await page.selectOption('select[name="step-1-prop"]', 'channel');
    await page.waitForSelector(`select[name="step-1-value"] option[value="${channel}"]`, { state: 'attached' });
    await page.selectOption('select[name="step-1-value"]', channel);
    await page.selectOption('select[name="step-2-type"]', 'click');
    await page.selectOption('select[name="step-3-type"]', 'conversion');
    await page.fill('input[name="window-value"]', '2');
    await page.selectOption('select[name="window-unit"]', 'day');
    await page.click('button.add-exclusion');
    await page.selectOption('select[name="exclusion-1-type"]', 'unsubscribe');
    await page.selectOption('select[name="breakdown"]', 'carrier');
    await page.selectOption('select[name="attribution"]', 'first_touch');
    const posted = page.waitForRequest((r) => r.url().endsWith('/v1/funnels') && r.method() === 'POST');
    await page.click('form.funnel-builder button[type="submit"]');
    const request = {
      steps: [{ type: 'send', where: [{ prop: 'channel', op: 'eq', value: channel }] }, 'click', 'conversion'],
      window: { value: 2, unit: 'day' },
      ...month,
      unit: 'user',
      order: 'ordered',
      exclusions: [{ type: 'unsubscribe', from_step: 1, to_step: 3 }],
      breakdown: 'carrier',
      breakdown_attribution: 'first_touch',
    };
    assert.deepEqual((await posted).postDataJSON(), request, 'the page asked for the funnel it shows');
    const answer = await call('POST', '/funnels', request);
    assert.ok(answer.steps[2].count > 0 && answer.breakdowns.length > 1, JSON.stringify(answer.steps));
    await page.waitForSelector('.funnel-result[data-loaded="true"] #funnel-table');

    type Step = {
      count: number;
      conversion_from_previous: number | null;
      conversion_from_first: number | null;
      average_seconds_from_previous: number | null;
      median_seconds_from_previous: number | null;
    };
    const expected = [{ value: '', steps: answer.steps }, ...answer.breakdowns].flatMap((g: { value: string; steps: Step[] }) =>
      g.steps.map((s, i) => [
        g.value,
        String(i + 1),
        number(s.count),
        i ? percent(s.conversion_from_previous) : '',
        i ? percent(s.conversion_from_first) : '',
        i ? duration(s.average_seconds_from_previous) : '',
        i ? duration(s.median_seconds_from_previous) : '',
      ]),
    );
    const shown = await page.$$eval('#funnel-table tbody tr', (rows) =>
      rows.map((r) => [
        r.getAttribute('data-group'),
        r.getAttribute('data-step'),
        ...['.count', '.from-previous', '.from-first', '.average', '.median'].map((c) => r.querySelector(c)?.textContent ?? ''),
      ]),
    );
    assert.deepEqual(shown, expected);
    // The hostile carrier is a group of the breakdown, shown as text.
    if (answer.breakdowns.some((b: { value: string }) => b.value === HOSTILE.carrier)) assert.ok((await texts('#funnel-table td')).includes(HOSTILE.carrier));
    assert.deepEqual(
      await texts('#time-to-convert td.count'),
      answer.time_to_convert.map((b: { count: number }) => number(b.count)),
    );
    await checkPage('funnels');
  });

  it('metric explorer: the table equals GET /v1/metrics for the metric, interval, breakdown and filter picked', async () => {
    await page.click('header.top nav a[href="#/metrics"]');
    await page.waitForSelector('#metric-table');
    await page.selectOption('select[name="metric"]', 'click_rate');
    await page.selectOption('select[name="interval"]', 'week');
    await page.selectOption('select[name="breakdown"]', 'carrier');
    await page.waitForSelector('select[name="channel"] option[value="106"]', { state: 'attached' });
    await page.selectOption('select[name="channel"]', '106');
    const answer = await get('/metrics', {
      metric: 'click_rate',
      interval: 'week',
      breakdown: 'carrier',
      ...month,
      filters: JSON.stringify([{ prop: 'channel', op: 'eq', value: '106' }]),
    });
    assert.ok(answer.series.some((p: { group: string }) => p.group === HOSTILE.carrier));
    const expected = answer.series.map((p: { local: string; group: string; numerator: number; denominator: number; rate: number | null }) =>
      [p.local, p.group, number(p.numerator), number(p.denominator), percent(p.rate)].join(' | '),
    );
    const rows = () => page.$$eval('#metric-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join(' | ')));
    for (let tries = 0; tries < 100 && JSON.stringify(await rows()) !== JSON.stringify(expected); tries++) await page.waitForTimeout(300);
    await page.waitForSelector('.grid[data-loaded="true"]');
    assert.deepEqual(await rows(), expected);
    // The hostile carrier is one text node in its cell.
    const cells = await page.$$eval('#metric-table td.group', (tds) => tds.map((td) => ({ text: td.textContent, elements: td.childElementCount })));
    assert.ok(cells.some((c) => c.text === HOSTILE.carrier && c.elements === 0));
    await checkPage('metrics');
  });

  it('send time: the heatmap of a segment states the API’s recommended window for that segment', async () => {
    await page.click('header.top nav a[href="#/send-time"]');
    await page.waitForSelector('#recommended');
    const everyone = await get('/insights/send-time', { ...month, metric: 'click_rate', window_hours: '2', quiet_hours: '22-8' });
    const segment = await get('/insights/send-time', { ...month, metric: 'click_rate', window_hours: '2', quiet_hours: '22-8', segment_id: segmentId });
    assert.ok(segment.delivered > 0 && segment.delivered < everyone.delivered, `${segment.delivered} of ${everyone.delivered}`);
    await page.selectOption('select[name="segment"]', segmentId);
    const rec = segment.recommended;
    const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    await textBecomes('#overall', `Overall click rate: ${percent(segment.overall_rate)} over ${number(segment.delivered)} delivered`);
    await textBecomes(
      '#recommended',
      `Recommended window: ${weekdays[rec.weekday - 1]} ${rec.start}–${rec.end}, expected click rate ${percent(rec.expected_rate)} (${number(rec.delivered)} delivered in it)`,
    );
    await page.waitForSelector('.grid[data-loaded="true"]');
    await checkPage('send-time');
    // An unknown segment is a 404, like another workspace's.
    const missing = await fetch(`${address}/v1/insights/send-time?${new URLSearchParams({ ...month, segment_id: 'seg_missing' })}`, {
      headers: { authorization: `Bearer ${analyst}` },
    });
    assert.equal(missing.status, 404);
  });

  it('ran no hostile text and broke no rule of the page', async () => {
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.equal(await page.evaluate(`document.querySelectorAll('img, iframe, svg').length`), 0);
    assert.deepEqual(problems, []);
  });
});
