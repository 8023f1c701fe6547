/**
 * The audiences and contacts pages in a real headless Chromium over a real listener, signed in through the sign-in
 * page, on seeded demo data: a marketer materializes a segment with the weekly cap (the counts shown equal the
 * API's), downloads the CSV (its bytes equal the API export of the same version and fields), deletes a version after
 * confirming; imports an XLSX file (the report shown equals the API's for the same file in another workspace) and
 * looks contacts up by phone and by user id (timeline as the API answers it); an analyst sees no whole phone number.
 * Hostile stored names are shown as text; no CSP violation or script error; axe finds nothing serious; screenshots of
 * each page in both languages go to data/test/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { createApiKey } from '../../access/api-keys.ts';
import { buildApp, type App } from '../../api/app.ts';
import { seedDemo } from '../../demo/seed.ts';
import { saveSegment } from '../../segmentation/segments.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { bearer } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { dropTestDatabase, openTestWarehouse, testConfig, TEST_DATA_DIR } from '../helpers/warehouse.ts';
import { chooseLanguage, seriousAccessibilityProblems, signInThroughPage, watchedPage, SCREENSHOTS } from '../helpers/web-app.ts';

const WS = 'aud_pages';
const OTHER_WS = 'aud_pages_other';
const HOSTILE_SEGMENT = '<img src=x onerror="window.__xss=1">电子产品';
const HOSTILE_NAME = '<script>window.__xss=2</script>';

/** The whole number a `[data-count]` element shows, whatever the locale's grouping. */
const countOf = async (page: Page, selector: string) => Number(((await page.textContent(selector)) ?? '').replace(/\D/g, ''));

async function screenshots(page: Page, name: string, ready: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-zh.png`), fullPage: true });
  await chooseLanguage(page, 'en');
  await page.waitForSelector('html[lang="en"]');
  await page.waitForSelector(ready);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-en.png`), fullPage: true });
  await chooseLanguage(page, 'zh-CN');
  await page.waitForSelector('html[lang="zh-CN"]');
}

async function xlsxFile(file: string, rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('名单');
  for (const row of rows) sheet.addRow(row);
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  fs.writeFileSync(file, bytes);
  return bytes;
}

describe('audiences and contacts pages in headless Chromium', () => {
  let wh: Warehouse;
  let app: App;
  let browser: Browser;
  let address: string;
  let marketer: string;
  let analyst: string;
  let segmentId: string;

  const call = async (key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${address}${url}`, {
      method,
      headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
    return { text, json: () => JSON.parse(text), headers: res.headers };
  };

  before(async () => {
    wh = await openTestWarehouse('audiences_pages');
    await seedDemo(wh, WS, { contacts: 600, weeks: 2, endMs: Date.now() });
    segmentId = (await saveSegment(wh, WS, { name: HOSTILE_SEGMENT, rule: { tag: 'interest', value: 'electronics' } }, 'test')).id;
    const key = (workspace: string, role: 'marketer' | 'analyst') =>
      createApiKey(wh, { workspace, role, name: 'browser', createdBy: 'test' }).then((k) => k.key);
    marketer = await key(WS, 'marketer');
    analyst = await key(WS, 'analyst');
    app = await buildApp({ config: testConfig('audiences_pages'), warehouse: wh, logger: false });
    address = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (wh) await dropTestDatabase(wh);
  });

  it('materializes with the weekly cap, downloads the CSV the API exports, and deletes a version', async () => {
    // Before the first materialization the audience does not exist: that 404 is the page's "no snapshot yet".
    const { page, assertClean: clean } = await watchedPage(browser, {
      acceptDownloads: true,
      expected: (pathname, status) => status === 404 && pathname === `/v1/audiences/${segmentId}`,
    });
    await signInThroughPage(page, address, marketer, '/audiences');
    await page.waitForSelector('#audience-list');
    const link = page.locator(`#audience-list tr[data-id="${segmentId}"] a`);
    assert.equal(await link.textContent(), HOSTILE_SEGMENT);
    assert.equal(await link.evaluate((a) => a.childElementCount), 0, 'the name is one text node');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the audience list');
    await screenshots(page, 'audiences', '#audience-list');

    await link.click();
    await page.waitForSelector('section[data-loaded="true"] .state.empty');
    assert.equal(await page.textContent('#audience-title'), HOSTILE_SEGMENT);
    await page.check('input[name="cap"]');
    await page.click('#materialize');
    await page.waitForSelector('#materialized');
    await page.waitForSelector('#versions tr[data-version]');
    const shown = {
      size: await countOf(page, '#materialized [data-count="size"]'),
      matched: await countOf(page, '#materialized [data-count="matched"]'),
      excluded: Object.fromEntries(
        await Promise.all(
          ['suppressed', 'no_phone', 'new_user_rule', 'frequency_cap'].map(async (k) => [k, await countOf(page, `#materialized [data-count="${k}"]`)]),
        ),
      ),
    };
    const audience = (await call(marketer, 'GET', `/v1/audiences/${segmentId}`)).json();
    assert.deepEqual(audience.eligibility, { frequency_cap: { per_week: 2, vip_per_week: 4, vip_min_level: 1 } });
    assert.deepEqual(shown, { size: audience.size, matched: audience.matched, excluded: audience.excluded });
    // (How many the cap leaves out depends on the weekday: it counts the sends since Monday.)
    assert.ok(audience.size > 0 && audience.matched >= audience.size, JSON.stringify(audience));
    // The same question asked of the API directly gets the same answer (a second version).
    const again = (await call(marketer, 'POST', `/v1/segments/${segmentId}/materialize`, { eligibility: { frequency_cap: true } })).json();
    assert.deepEqual([again.version, again.size, again.excluded], [2, shown.size, shown.excluded]);
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the audience page');

    // Version 1's CSV with three fields, through the page, equals the API's export of the same.
    await page.reload();
    await page.waitForSelector('#versions tr[data-version="2"]');
    await page.selectOption('form.export select[name="version"]', '1');
    await page.check('form.export input[value="city"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), `audience-${segmentId}-v1.csv`);
    const downloaded = fs.readFileSync((await download.path())!, 'utf8');
    const api = await call(marketer, 'GET', `/v1/audiences/${segmentId}/export?format=csv&fields=user_id,phone,city&version=1&limit=100000`);
    assert.equal(api.headers.get('x-next-cursor'), null, 'one page holds it');
    assert.equal(downloaded, api.text);
    assert.equal(downloaded.trim().split('\n').length, audience.size + 1, 'a header and one row per member');
    assert.match(downloaded.split('\n')[0]!, /user_id.*phone.*city/);
    await screenshots(page, 'audience', '#versions');

    // Deleting version 2 is asked twice; then the API no longer lists it.
    await page.click('#versions tr[data-version="2"] button.danger');
    await page.click('#versions tr[data-version="2"] .confirm button.danger');
    await page.waitForSelector('#versions tr[data-version="2"]', { state: 'detached' });
    const versions = (await call(marketer, 'GET', `/v1/audiences/${segmentId}`)).json().versions.map((v: { version: number }) => v.version);
    assert.deepEqual(versions, [1]);
    await clean();
    await page.context().close();
  });

  it('imports an XLSX file with the report the API gives, and looks contacts up by phone and by user id', async () => {
    // The unknown number looked up at the end answers 404: the page's "no such contact".
    const { page, assertClean: clean } = await watchedPage(browser, {
      acceptDownloads: true,
      expected: (pathname, status) => status === 404 && pathname.startsWith('/v1/contacts/by-phone/'),
    });
    const file = path.join(TEST_DATA_DIR, 'pages-import.xlsx');
    const bytes = await xlsxFile(file, [
      ['手机号', '姓名', '城市', 'tags'],
      ['13911110001', HOSTILE_NAME, '上海', 'vip'],
      ['+8613911110002', '李四', '北京', ''],
      ['13911110001', '重复', '上海', ''],
      ['12345', '无效', '广州', ''],
      [13911110003, '王五', '深圳', ''],
    ]);
    // The same file into another, empty workspace through the API: the report the page must show.
    const otherKey = (await createApiKey(wh, { workspace: OTHER_WS, role: 'marketer', name: 'api', createdBy: 'test' })).key;
    const expected = (await call(otherKey, 'POST', '/v1/contacts/import', bytes, { 'content-type': 'application/octet-stream' })).json();
    assert.deepEqual([expected.rows, expected.imported, expected.duplicates, expected.invalid.count], [5, 3, 1, 1]);

    await signInThroughPage(page, address, marketer, '/contacts');
    await page.waitForSelector('#import-file');
    await page.setInputFiles('#import-file', file);
    await page.click('#import');
    await page.waitForSelector('#import-report');
    const report = Object.fromEntries(
      await Promise.all(
        ['rows', 'imported', 'updated', 'duplicates', 'invalid'].map(async (k) => [k, await countOf(page, `#import-report [data-count="${k}"]`)]),
      ),
    );
    assert.deepEqual(report, {
      rows: expected.rows,
      imported: expected.imported,
      updated: expected.updated,
      duplicates: expected.duplicates,
      invalid: expected.invalid.count,
    });
    assert.equal(await page.locator('#invalid-lines tbody tr').count(), expected.invalid.lines.length);
    assert.match((await page.textContent('#invalid-lines tbody td')) ?? '', new RegExp(`^${expected.invalid.lines[0].line}$`));
    await screenshots(page, 'contacts', '#import-file');

    // By phone (a marketer sees numbers): the imported contact, its hostile name as text, its tag.
    await page.selectOption('form.lookup select[name="by"]', 'phone');
    await page.fill('#lookup-value', '139 1111 0001');
    await page.click('#lookup');
    await page.waitForSelector('#profile');
    assert.equal(await page.textContent('#profile [data-field="phone"]'), '+8613911110001');
    assert.equal(await page.textContent('#profile [data-field="name"]'), HOSTILE_NAME);
    assert.equal(await page.locator('#profile [data-field="name"]').evaluate((td) => td.childElementCount), 0);
    assert.match((await page.textContent('#tags')) ?? '', /vip/);

    // By user id: a demo contact with events; the timeline has the API's rows, the suppression state its answer.
    const contacts = (await call(marketer, 'GET', '/v1/contacts?limit=50')).json().contacts as { user_id: string }[];
    let chosen: { user_id: string; activity: { suppressed: boolean; events: { event_id: string }[] } } | undefined;
    for (const c of contacts) {
      const activity = (await call(marketer, 'GET', `/v1/contacts/${encodeURIComponent(c.user_id)}/activity?days=90&limit=100`)).json();
      if (activity.events.length > 0) {
        chosen = { user_id: c.user_id, activity };
        break;
      }
    }
    assert.ok(chosen, 'a demo contact with events');
    await page.selectOption('form.lookup select[name="by"]', 'user');
    await page.fill('#lookup-value', chosen.user_id);
    await page.click('#lookup');
    await page.locator('#profile [data-field="user_id"]').filter({ hasText: chosen.user_id }).waitFor();
    assert.equal(await page.locator('#timeline tbody tr').count(), chosen.activity.events.length);
    assert.equal(await page.textContent('#suppression'), chosen.activity.suppressed ? '已屏蔽：不会进入任何人群包' : '未屏蔽');
    assert.deepEqual(await seriousAccessibilityProblems(page), [], 'the contacts page with a contact');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'contact-zh.png'), fullPage: true });

    // A number that is nobody's: the page says so and what to do.
    await page.selectOption('form.lookup select[name="by"]', 'phone');
    await page.fill('#lookup-value', '13999999999');
    await page.click('#lookup');
    await page.waitForSelector('.state.empty >> text=没有找到这个联系人');
    await clean();
    await page.context().close();
  });

  it('shows an analyst no whole phone number and no import', async () => {
    const { page, assertClean: clean } = await watchedPage(browser, { acceptDownloads: true });
    await signInThroughPage(page, address, analyst, '/contacts');
    await page.waitForSelector('#lookup-value');
    assert.equal(await page.locator('form.lookup select[name="by"]').count(), 0, 'no lookup by phone');
    assert.equal(await page.locator('#import-file').count(), 0, 'no import');
    await page.fill('#lookup-value', '+8613911110002');
    await page.click('#lookup');
    await page.waitForSelector('#profile');
    assert.equal(await page.textContent('#profile [data-field="phone"]'), '139****0002');
    assert.doesNotMatch((await page.textContent('main')) ?? '', /\d{11}/, 'no whole number anywhere on the page');
    // The audience page: an analyst may export but neither materialize nor delete.
    await page.goto(`${address}/#/audiences/${segmentId}`);
    await page.waitForSelector('#versions');
    assert.equal(await page.locator('#materialize').count(), 0);
    assert.equal(await page.locator('#versions button.danger').count(), 0);
    assert.equal(await page.locator('#download').count(), 1);
    assert.deepEqual(await seriousAccessibilityProblems(page), []);
    await clean();
    await page.context().close();
  });
});
