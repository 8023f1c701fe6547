import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { importContacts, type ImportOptions } from '../../ingest/imports/contact-import.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';

const limits: ImportOptions = { maxRows: 1000, maxBytes: 10_000_000 };
const bytes = (text: string) => Readable.from([Buffer.from(text)]);

async function xlsxBuffer(rows: unknown[][], sheetName = 'Sheet1'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('contact and number-list import', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('contact_import');
  });
  after(() => t.close());

  const contacts = (ws: string) =>
    t.wh.query<{ user_id: string; phone: string; name: string; city: string; vip_level: number; attributes: Record<string, string> }>(
      'SELECT user_id, phone, name, city, vip_level, attributes FROM contacts FINAL WHERE workspace_id = {ws:String} ORDER BY user_id',
      { ws },
    );
  const tags = (ws: string) =>
    t.wh.query<{ user_id: string; tag: string; value: string }>(
      'SELECT user_id, tag, value FROM tags FINAL WHERE workspace_id = {ws:String} ORDER BY user_id, tag, value',
      { ws },
    );

  const jobs = (ws: string) =>
    t.wh.query<{ import_id: string; status: string; report: string }>(
      'SELECT import_id, status, report FROM contact_import_jobs FINAL WHERE workspace_id = {ws:String} ORDER BY started_at',
      { ws },
    );

  it('TXT: normalises numbers, reports invalid lines by number, merges duplicates', async () => {
    const file = ['13812345678', '+86 139-1234-5678', '', '12345', '8613812345678', '0086 13700000000', 'hello', '13812345678'].join('\n');
    const report = await importContacts(t.wh, 'imp_txt', bytes(file), { ...limits, tag: 'list_nov' });
    // 7 data lines (line 3 is blank); 2 invalid (lines 4 and 7); of the 5 valid, 138... appears 3 times -> 2 duplicates
    assert.deepEqual(
      { rows: report.rows, imported: report.imported, updated: report.updated, duplicates: report.duplicates, invalid: report.invalid },
      {
        rows: 7,
        imported: 3,
        updated: 0,
        duplicates: 2,
        invalid: {
          count: 2,
          lines: [
            { line: 4, reason: 'phone: "12345" is not a valid mobile number' },
            { line: 7, reason: 'phone: "hello" is not a valid mobile number' },
          ],
        },
      },
    );
    assert.deepEqual(
      (await contacts('imp_txt')).map((c) => c.phone),
      ['+8613700000000', '+8613812345678', '+8613912345678'],
    );
    assert.equal((await tags('imp_txt')).filter((x) => x.tag === 'list_nov').length, 3);
    const again = await importContacts(t.wh, 'imp_txt', bytes('13812345678\n15000000000\n'), limits);
    assert.deepEqual([again.imported, again.updated], [1, 1], 'an existing number updates its contact');
    assert.equal((await contacts('imp_txt')).length, 4);
  });

  it('CSV: Chinese headers, tags, attributes, merge over stored profiles by user_id and by phone; GB18030 files read right', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(await t.keyFor('admin', 'imp_csv')),
      payload: [
        { user_id: 'u1', phone: '13700000001', city: '上海', vip_level: 2 },
        { user_id: 'old', phone: '13700000005', name: '旧' },
      ],
    });
    const csv = [
      'user_id,手机号,姓名,城市,tags,tag:vip,colour',
      'u1,13700000001,王芳,,interest=books;new,是,red',
      'u2,not-a-phone,李,北京,,,',
      ',13700000005,周,杭州,,,blue',
      'u3,13700000003,陈,成都,,,',
      'u3,13700000003,陈二,成都,,,',
    ].join('\n');
    const report = await importContacts(t.wh, 'imp_csv', bytes(csv), limits);
    assert.deepEqual([report.format, report.rows, report.imported, report.updated, report.duplicates, report.invalid.count], ['csv', 5, 1, 2, 1, 1]);
    assert.equal(report.invalid.lines[0]!.line, 3);
    const stored = await contacts('imp_csv');
    assert.deepEqual(stored, [
      { user_id: 'old', phone: '+8613700000005', name: '周', city: '杭州', vip_level: 0, attributes: { colour: 'blue' } },
      { user_id: 'u1', phone: '+8613700000001', name: '王芳', city: '上海', vip_level: 2, attributes: { colour: 'red' } },
      { user_id: 'u3', phone: '+8613700000003', name: '陈', city: '成都', vip_level: 0, attributes: {} },
    ]);
    assert.deepEqual(
      (await tags('imp_csv')).map((x) => `${x.user_id}:${x.tag}=${x.value}`),
      ['u1:interest=books', 'u1:new=', 'u1:vip='],
    );
    const gb = Buffer.from(new Uint8Array([...Buffer.from('phone,name,city\n13600000000,'), 0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0xc9, 0xee, 0xdb, 0xda, 0x0a]));
    const gbReport = await importContacts(t.wh, 'imp_gb', Readable.from([gb]), limits);
    assert.equal(gbReport.encoding, 'gb18030');
    assert.deepEqual(
      (await contacts('imp_gb')).map((c) => [c.name, c.city]),
      [['张三', '深圳']],
    );
  });

  it('XLSX: text and numeric phone cells recovered exactly, Chinese names, empty rows, bad numbers with row numbers', async () => {
    const file = await xlsxBuffer([
      ['手机号', '姓名', 'vip_level'],
      ['13812345678', '王芳', 1],
      [13912345678, '李娜', 0],
      [],
      [1.38e20, '太长', 0],
      [13812345678.5, '小数', 0],
      ['abc', '坏', 0],
      [8613700000000, '带区号', 3],
    ]);
    const report = await importContacts(t.wh, 'imp_xlsx', Readable.from([file]), limits);
    assert.deepEqual([report.format, report.rows, report.imported, report.duplicates], ['xlsx', 6, 3, 0]);
    assert.deepEqual(report.invalid.lines, [
      { line: 5, reason: 'phone: numeric cell 138000000000000000000 cannot be recovered exactly; store phone numbers as text' },
      { line: 6, reason: 'phone: numeric cell 13812345678.5 cannot be recovered exactly; store phone numbers as text' },
      { line: 7, reason: 'phone: "abc" is not a valid mobile number' },
    ]);
    assert.deepEqual(
      (await contacts('imp_xlsx')).map((c) => [c.phone, c.name, c.vip_level]),
      [
        ['+8613700000000', '带区号', 3],
        ['+8613812345678', '王芳', 1],
        ['+8613912345678', '李娜', 0],
      ],
    );
    const named = await xlsxBuffer([['phone'], ['13500000000']], '名单');
    assert.equal((await importContacts(t.wh, 'imp_xlsx2', Readable.from([named]), { ...limits, sheet: '名单' })).imported, 1);
    await assert.rejects(importContacts(t.wh, 'imp_xlsx2', Readable.from([named]), { ...limits, sheet: 'nope' }), /no sheet named "nope"/);
  });

  it('refuses a too-long file, a truncated workbook and a protected one whole: nothing is half-imported', async () => {
    const lines = Array.from({ length: 11 }, (_, i) => `1380000${String(i).padStart(4, '0')}`).join('\n');
    await assert.rejects(importContacts(t.wh, 'imp_refused', bytes(lines), { ...limits, maxRows: 10 }), /more than 10 rows/);
    const file = await xlsxBuffer([['phone'], ...Array.from({ length: 200 }, (_, i) => [`1390000${String(i).padStart(4, '0')}`])]);
    await assert.rejects(
      importContacts(t.wh, 'imp_refused', Readable.from([file.subarray(0, Math.floor(file.length * 0.7))]), limits),
      /could not be read as xlsx/,
    );
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]);
    await assert.rejects(importContacts(t.wh, 'imp_refused', Readable.from([ole]), limits), /password-protected/);
    assert.deepEqual(await contacts('imp_refused'), []);
    const [staged] = await t.wh.query<{ n: string }>("SELECT count() AS n FROM contact_import_rows WHERE workspace_id = 'imp_refused'");
    assert.equal(Number(staged!.n), 0, 'staged rows are discarded');
    assert.deepEqual(
      (await jobs('imp_refused')).map((j) => j.status),
      ['discarded', 'discarded', 'discarded'],
    );
  });

  it('each import is a job: done with its report, staging tables emptied; two at once in one workspace both complete', async () => {
    const file = (offset: number) => Array.from({ length: 30 }, (_, i) => `1350000${String(offset + i).padStart(4, '0')}`).join('\n');
    // Overlapping numbers: 20 of the second file's 30 are the first file's too.
    const [a, b] = await Promise.all([
      importContacts(t.wh, 'imp_jobs', bytes(file(0)), { ...limits, tag: 'a' }),
      importContacts(t.wh, 'imp_jobs', bytes(file(10)), { ...limits, tag: 'b' }),
    ]);
    assert.equal(a.rows + b.rows, 60);
    assert.equal((await contacts('imp_jobs')).length, 40);
    const byTag = (tag: string) => tags('imp_jobs').then((rows) => rows.filter((r) => r.tag === tag).length);
    assert.deepEqual([await byTag('a'), await byTag('b')], [30, 30], 'neither import was discarded or half-applied by the other');
    const done = await jobs('imp_jobs');
    assert.deepEqual(
      done.map((j) => j.status),
      ['done', 'done'],
    );
    for (const j of done) {
      const report = [a, b].find((r) => r.import_id === j.import_id)!;
      assert.deepEqual(JSON.parse(j.report), report, 'the job keeps the report');
    }
    const [left] = await t.wh.query<{ rows: string; pending: string }>(
      "SELECT (SELECT count() FROM contact_import_rows WHERE workspace_id = 'imp_jobs') AS rows, (SELECT count() FROM contact_import_pending WHERE workspace_id = 'imp_jobs') AS pending",
    );
    assert.deepEqual([Number(left!.rows), Number(left!.pending)], [0, 0]);
  });

  it('a client reading the file stream for progress before the import starts loses no line (the CLI does)', async () => {
    const input = bytes(Array.from({ length: 50 }, (_, i) => `1360000${String(i).padStart(4, '0')}`).join('\n'));
    let seen = 0;
    input.on('data', (chunk: Buffer) => (seen += chunk.length));
    const report = await importContacts(t.wh, 'imp_progress', input, limits);
    assert.equal(report.rows, 50);
    assert.ok(seen > 0);
  });

  it('POST /v1/contacts/import streams the body and answers with the report; limits and roles hold', async () => {
    const marketer = await t.keyFor('marketer', 'imp_http');
    const post = (payload: Buffer | string, contentType: string, key = marketer, query = '') =>
      t.app.inject({ method: 'POST', url: `/v1/contacts/import${query}`, headers: { ...bearer(key), 'content-type': contentType }, payload });
    const ok = await post('phone,name\n13800001111,甲\n13800002222,乙\n', 'text/csv', marketer, '?tag=vip_list');
    assert.equal(ok.statusCode, 200);
    assert.deepEqual([ok.json().imported, ok.json().invalid.count], [2, 0]);
    const xlsx = await post(await xlsxBuffer([['phone'], [13800003333]]), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(xlsx.json().imported, 1);
    const broken = await post(Buffer.from('PK\u0003\u0004 not really a zip'), 'application/octet-stream');
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().code, 'IMPORT_REFUSED');
    assert.equal((await post('13800004444\n', 'text/plain', await t.keyFor('analyst', 'imp_http'))).statusCode, 403);
    assert.equal((await post('13800004444\n', 'text/plain', marketer, '?format=pdf')).json().field, 'querystring.format');
  });
});
