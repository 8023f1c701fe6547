/**
 * Hostile text on the dashboard, in a real headless Chromium over a real listener: names and values any
 * marketer or sender can store (segment and experiment names, carriers, campaign ids that end up in alerts)
 * carry markup; the page must show it as text and run none of it. Also: the security headers on pages, API
 * answers and 404s, the API key kept out of the page (an HttpOnly session cookie), and the Swagger UI still rendering under its policy.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { chooseLanguage, signInThroughPage, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

const WS = 'ws_xss';

const HOSTILE = {
  segment: '<img src=x onerror="window.__xss=1">',
  carrier: '<script>window.__xss=2</script>',
  campaign: '<img src=x onerror="window.__xss=3">',
  experiment: '<svg onload="window.__xss=4"></svg><b>exp</b>',
  alertRule: '<iframe src="javascript:window.__xss=5"></iframe>',
};

/** Non-white pixels on the delivery chart's canvas (the code runs in the page, hence a string). */
const seriesInk = (page: Page) =>
  page.evaluate(`(() => {
    const canvas = document.querySelector('#series canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) n++;
    return n;
  })()`) as Promise<number>;

async function signIn(page: Page, address: string, key: string) {
  await signInThroughPage(page, address, key);
  await chooseLanguage(page, 'en');
  await page.waitForSelector('[data-loaded="true"]', { timeout: 30_000 });
}

describe('dashboard against hostile text, with security headers', () => {
  let t: TestApp;
  let address: string;
  let browser: Browser;
  let analystKey: string;

  const post = async (key: string, url: string, body: unknown, expected: number) => {
    const res = await fetch(`${address}${url}`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.equal(res.status, expected, `${url}: ${text}`);
    return JSON.parse(text);
  };

  before(async () => {
    t = await startTestApp('dashboard_xss');
    address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    analystKey = await t.keyFor('analyst', WS);
    const marketer = await t.keyFor('marketer', WS);
    const sender = await t.keyFor('sender', WS);

    // Everything goes in through the API, as an attacker holding an ordinary key would do it.
    await post(marketer, '/v1/segments', { name: HOSTILE.segment, rule: { tag: 'interest', value: 'x' } }, 201);
    await post(
      marketer,
      '/v1/experiments',
      {
        name: HOSTILE.experiment,
        variants: [
          { key: 'a', weight: 1 },
          { key: 'b', weight: 1 },
        ],
      },
      201,
    );
    await post(
      analystKey,
      '/v1/alert-rules',
      {
        name: HOSTILE.alertRule,
        metric: 'delivery_rate',
        kind: 'threshold',
        interval: 'hour',
        breakdown: 'campaign_id',
        threshold: { below: 0.9 },
        min_volume: 10,
      },
      201,
    );
    // 120 sends and 40 receipts in one complete hour: delivery 33 %, so both the default per-carrier rule
    // and the per-campaign rule above fire, with the hostile carrier and campaign as breakdown values.
    const hour = Math.floor(Date.now() / 3600_000) * 3600_000 - 3 * 3600_000;
    const events = [];
    for (let i = 0; i < 120; i++) {
      const common = { user_id: `u${i}`, carrier: HOSTILE.carrier, campaign_id: HOSTILE.campaign, message_id: `m${i}` };
      events.push({ ...common, event_id: `s${i}`, type: 'send', ts: hour + i * 1000 });
      if (i < 40) events.push({ ...common, event_id: `d${i}`, type: 'delivery', status: 'delivered', ts: hour + i * 1000 + 500 });
    }
    const accepted = await post(sender, '/v1/events', events, 202);
    assert.deepEqual(accepted.rejected, []);
    const evaluated = await post(analystKey, '/v1/alerts/evaluate', { from: new Date(hour).toISOString(), to: new Date(hour + 3600_000).toISOString() }, 200);
    assert.ok(evaluated.fired.length >= 2, JSON.stringify(evaluated));

    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows hostile names as literal text and runs none of them', async () => {
    const { page, dialogs, problems: errors } = await watchedPage(browser, { viewport: { width: 1280, height: 1400 } });
    await signIn(page, address, analystKey);

    const lists = (await page.textContent('#lists')) ?? '';
    assert.ok(lists.includes(HOSTILE.segment), lists);
    assert.ok(lists.includes(HOSTILE.experiment), lists);
    const alerts = (await page.textContent('#alerts')) ?? '';
    assert.ok(alerts.includes(HOSTILE.carrier), alerts);
    assert.ok(alerts.includes(HOSTILE.campaign), alerts);
    // One cell, one text node: the name was not parsed into elements.
    const cells = await page.$$eval('#lists td, #alerts td', (tds) => tds.map((td) => ({ text: td.textContent, elements: td.childElementCount })));
    assert.ok(cells.some((c) => c.text === HOSTILE.segment && c.elements === 0));
    assert.ok(cells.every((c) => c.elements === 0));

    // The delivery chart's legend and tooltip carry the carrier's name: hover over its one point. The
    // tooltip is drawn on the canvas (more ink), not written into the page as HTML.
    const inkBefore = await seriesInk(page);
    const [x, y] = (await page.evaluate(`echarts.getInstanceByDom(document.getElementById('series')).convertToPixel({ seriesIndex: 0 }, [0, 40 / 120])`)) as [
      number,
      number,
    ];
    const box = (await page.locator('#series').boundingBox())!;
    await page.mouse.move(box.x + x, box.y + y);
    await page.waitForTimeout(500);
    assert.ok((await seriesInk(page)) > inkBefore + 2000, 'the tooltip was drawn');
    assert.equal(await page.textContent('#series'), '');
    await page.locator('#series').screenshot({ path: path.join(SCREENSHOTS, 'dashboard-hostile-tooltip.png') });

    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.deepEqual(dialogs, []);
    // Nothing the hostile text names was built: only the page's own three scripts, no images, frames or SVG.
    assert.deepEqual(await page.evaluate(`[document.scripts.length, document.images.length, document.querySelectorAll('iframe, svg, b').length]`), [3, 0, 0]);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-hostile.png'), fullPage: true });
    await page.context().close();
  });

  it('keeps no copy of the key: an HttpOnly session cookie no script can read, ended by sign-out', async () => {
    const { page, problems: errors } = await watchedPage(browser, { viewport: { width: 1280, height: 1400 } });
    await signIn(page, address, analystKey);
    const secret = analystKey.split('_')[2]!;
    assert.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 1, 'only the chosen language is remembered');
    assert.equal(await page.evaluate(`localStorage.getItem('smsp.locale')`), 'en');
    assert.equal(await page.evaluate('document.cookie'), '', 'the session cookie is HttpOnly');
    assert.ok(!(await page.content()).includes(secret), 'the key is not in the page');
    const [cookie] = await page.context().cookies();
    assert.deepEqual([cookie?.name, cookie?.httpOnly, cookie?.sameSite, cookie?.value.includes(secret)], ['smsp_session', true, 'Strict', false]);
    assert.match((await page.textContent('[data-testid="who"]')) ?? '', /ws_xss.*Analyst/);
    // A reload keeps the session; sign-out ends it, and the old cookie opens nothing any more.
    await page.reload();
    await page.waitForSelector('[data-loaded="true"]', { timeout: 30_000 });
    await page.click('header.top button');
    await page.waitForSelector('#api-key');
    const replay = await fetch(`${address}/v1/session`, { headers: { cookie: `smsp_session=${cookie!.value}` } });
    assert.equal(replay.status, 401);
    assert.deepEqual(await page.context().cookies(), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('sends the CSP and the other security headers on pages, API answers, errors and 404s', async () => {
    const responses = {
      page: await fetch(`${address}/`),
      script: await fetch(`${address}/app/main.js`),
      api: await fetch(`${address}/v1/workspace`, { headers: bearer(analystKey) }),
      unauthorized: await fetch(`${address}/v1/workspace`),
      notFound: await fetch(`${address}/no/such/page`),
      badRequest: await fetch(`${address}/v1/segments?limit=-1`, { headers: bearer(analystKey) }),
    };
    const expected = { page: 200, script: 200, api: 200, unauthorized: 401, notFound: 404, badRequest: 400 };
    for (const [name, res] of Object.entries(responses)) {
      assert.equal(res.status, expected[name as keyof typeof expected], name);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([k, ...v]) => [k, v.join(' ')]),
      );
      assert.equal(directives.get('default-src'), "'none'", `${name}: ${csp}`);
      assert.equal(directives.get('script-src'), "'self'", name);
      assert.equal(directives.get('script-src-attr'), "'none'", name);
      assert.equal(directives.get('style-src'), "'self'", name);
      assert.equal(directives.get('frame-ancestors'), "'none'", name);
      assert.equal(directives.get('object-src'), "'none'", name);
      assert.equal(directives.get('base-uri'), "'none'", name);
      assert.equal(directives.get('require-trusted-types-for'), "'script'", name);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|upgrade-insecure-requests/, name);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', name);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', name);
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin', name);
      assert.equal(res.headers.get('x-powered-by'), null, name);
      await res.arrayBuffer();
    }
    const docs = await fetch(`${address}/docs`, { redirect: 'follow' });
    assert.equal(docs.status, 200);
    const docsCsp = docs.headers.get('content-security-policy') ?? '';
    assert.match(docsCsp, /frame-ancestors 'none'/);
    assert.match(docsCsp, /script-src 'self'/);
    assert.doesNotMatch(docsCsp, /unsafe-inline|unsafe-eval|require-trusted-types-for/);
    assert.equal(docs.headers.get('x-frame-options'), 'DENY');
    await docs.arrayBuffer();
  });

  it('still renders the Swagger UI at /docs under its policy', async () => {
    const { page, problems: errors } = await watchedPage(browser, { viewport: { width: 1280, height: 1400 } });
    await page.goto(`${address}/docs`);
    await page.waitForSelector('.swagger-ui .opblock', { timeout: 30_000 });
    assert.match((await page.textContent('.swagger-ui .title')) ?? '', /SMS marketing analytics and segmentation API/);
    const operations = await page.$$eval('.swagger-ui .opblock-summary-path', (els) => els.map((e) => e.textContent?.trim()));
    assert.ok(operations.includes('/v1/segments'), operations.join(' '));
    // Opening an operation renders its Markdown and parameters (React writes that HTML itself).
    await page.locator('.swagger-ui .opblock-summary').first().click();
    await page.waitForSelector('.swagger-ui .opblock.is-open');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'docs.png') });
    assert.ok(fs.statSync(path.join(SCREENSHOTS, 'docs.png')).size > 20_000);
    await page.context().close();
  });
});
