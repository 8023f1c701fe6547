import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contactSql, contactSqlSlots, contactTableMismatches } from '../../ingest/contact-sql.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { CONTACT_TABLES, withCoupon } from '../helpers/contact-fields.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';

const columnsOf = (wh: Warehouse, table: string) =>
  wh.query<{ name: string; type: string }>(
    'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position',
    { table },
  );

describe('the contact tables agree with CONTACT_FIELDS', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openTestWarehouse('contact_fields');
  });
  after(() => dropTestDatabase(wh));

  it('every migrated contact table has exactly the columns the definition gives it; the unused merge table is gone', async () => {
    for (const table of CONTACT_TABLES) assert.deepEqual(contactTableMismatches(table, await columnsOf(wh, table)), [], table);
    const [gone] = await wh.query<{ n: string }>(
      "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'contact_import_merged'",
    );
    assert.equal(Number(gone!.n), 0);
  });

  it('the check names a field added to the list without its migration, then passes once the columns exist', async () => {
    assert.deepEqual(contactTableMismatches('contacts', await columnsOf(wh, 'contacts'), withCoupon), [
      'contacts.coupon is in CONTACT_FIELDS but not in the table',
    ]);
    // The migration a developer would write for the new field.
    await wh.ddl('ALTER TABLE contacts ADD COLUMN IF NOT EXISTS coupon String');
    await wh.ddl('ALTER TABLE contact_import_rows ADD COLUMN IF NOT EXISTS coupon Nullable(String)');
    await wh.ddl('ALTER TABLE contact_import_pending ADD COLUMN IF NOT EXISTS coupon String');
    await wh.ddl('ALTER TABLE audience_members ADD COLUMN IF NOT EXISTS coupon String');
    for (const table of CONTACT_TABLES) assert.deepEqual(contactTableMismatches(table, await columnsOf(wh, table), withCoupon), [], table);
    assert.deepEqual(contactTableMismatches('contacts', await columnsOf(wh, 'contacts')), [
      'contacts.coupon (String) is in the table but not in CONTACT_FIELDS',
    ]);
    // The rendered merge carries the new field through: staged, merged over the stored profile, applied.
    const key = { workspace: 'ws_cf', import_id: 'cf1' };
    const row = (line: number, fields: object) => ({
      workspace_id: 'ws_cf',
      import_id: 'cf1',
      line,
      key: 'u1',
      user_id: 'u1',
      attributes: {},
      tags: [],
      ...fields,
    });
    await wh.insert('contacts', [{ workspace_id: 'ws_cf', user_id: 'u1', name: 'kept', coupon: 'OLD', updated_at: '2024-01-01 00:00:00.000' }]);
    await wh.insert('contact_import_rows', [row(1, { coupon: 'NEW' })]);
    const slots = contactSqlSlots(withCoupon);
    await wh.command(contactSql('imports/merge', {}, slots), key, { settings: { join_use_nulls: 1 } });
    await wh.command(contactSql('imports/apply-contacts', {}, slots), { ...key, applied_at: '2024-01-02 00:00:00.000' });
    const [stored] = await wh.query<{ name: string; coupon: string }>(
      "SELECT name, coupon FROM contacts FINAL WHERE workspace_id = 'ws_cf' AND user_id = 'u1'",
    );
    assert.deepEqual(stored, { name: 'kept', coupon: 'NEW' });
  });
});

describe('one merge: the API upsert and the import store the same contact', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await startTestApp('contact_merge');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => t.close());

  const call = async (ws: string, method: string, path: string, body: string, contentType = 'application/json') => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...bearer(await t.keyFor('admin', ws)), 'content-type': contentType }, body });
    return { status: res.status, json: (await res.json()) as any };
  };
  const stored = async (ws: string, userId: string) =>
    (
      await t.wh.query<Record<string, unknown>>(
        'SELECT * EXCEPT (workspace_id, updated_at) FROM contacts FINAL WHERE workspace_id = {ws:String} AND user_id = {id:String}',
        { ws, id: userId },
      )
    )[0];
  const version = async (ws: string, userId: string) =>
    (
      await t.wh.query<{ v: string }>('SELECT toString(updated_at) AS v FROM contacts FINAL WHERE workspace_id = {ws:String} AND user_id = {id:String}', {
        ws,
        id: userId,
      })
    )[0]?.v;
  const suppressed = async (ws: string) =>
    (await t.wh.query<{ phone: string }>('SELECT phone FROM suppressions FINAL WHERE workspace_id = {ws:String}', { ws })).map((r) => r.phone);
  const leftovers = async () =>
    Number((await t.wh.query<{ n: string }>('SELECT (SELECT count() FROM contact_import_rows) + (SELECT count() FROM contact_import_pending) AS n'))[0]!.n);

  it('same fields over the same stored profile, through the API and through a CSV import, give the same row; given values win', async () => {
    const profile = JSON.stringify([
      {
        user_id: 'm1',
        phone: '13800000001',
        name: '王芳',
        city: '上海',
        vip_level: 1,
        birthday: '1990-05-01',
        attributes: { occupation: 'teacher', pets: 'dog' },
      },
    ]);
    for (const ws of ['merge_api', 'merge_imp'])
      assert.deepEqual((await call(ws, 'POST', '/v1/contacts', profile)).json, { created: 1, updated: 0, rejected: [] });
    const before = await version('merge_api', 'm1');

    const viaApi = await call(
      'merge_api',
      'POST',
      '/v1/contacts',
      JSON.stringify([
        { user_id: 'm1', city: '杭州', gender: 'female', consent: 'opted_out', signup_at: '2024-01-02T03:04:05Z', attributes: { pets: 'cat', colour: 'red' } },
        { user_id: 'n1', phone: '13900000002', vip_level: 3 },
      ]),
    );
    assert.deepEqual(viaApi.json, { created: 1, updated: 1, rejected: [] });
    const csv = [
      'user_id,城市,性别,consent,signup_at,pets,colour,手机号,vip',
      'm1,杭州,女,opted_out,2024-01-02T03:04:05Z,cat,red,,',
      'n1,,,,,,,13900000002,3',
    ].join('\n');
    const viaImport = await call('merge_imp', 'POST', '/v1/contacts/import', csv, 'text/csv');
    assert.equal(viaImport.status, 200, JSON.stringify(viaImport.json));
    assert.deepEqual([viaImport.json.imported, viaImport.json.updated, viaImport.json.invalid.count], [1, 1, 0]);

    // Worked out by hand from the rules: given fields replace, absent ones keep, attributes merge key by key.
    const expected = {
      user_id: 'm1',
      phone: '+8613800000001',
      name: '王芳',
      gender: 'female',
      birthday: '1990-05-01',
      city: '杭州',
      region: '',
      signup_at: '2024-01-02 03:04:05.000',
      vip_level: 1,
      consent: 'opted_out',
      consent_at: null,
      attributes: { occupation: 'teacher', pets: 'cat', colour: 'red' },
    };
    assert.deepEqual(await stored('merge_api', 'm1'), expected);
    assert.deepEqual(await stored('merge_imp', 'm1'), expected);
    const created = {
      user_id: 'n1',
      phone: '+8613900000002',
      name: '',
      gender: '',
      birthday: null,
      city: '',
      region: '',
      signup_at: null,
      vip_level: 3,
      consent: 'unknown',
      consent_at: null,
      attributes: {},
    };
    assert.deepEqual(await stored('merge_api', 'n1'), created);
    assert.deepEqual(await stored('merge_imp', 'n1'), created);
    assert.ok(String(await version('merge_api', 'm1')) > String(before), 'the merged version outranks the stored one');
    // Opting out suppresses the number on both paths.
    assert.deepEqual(await suppressed('merge_api'), ['+8613800000001']);
    assert.deepEqual(await suppressed('merge_imp'), ['+8613800000001']);
    assert.equal(await leftovers(), 0, 'no staged or merged rows are left behind');
  });

  it('repeats of a user in one body apply in order; refused items change nothing', async () => {
    const r = await call(
      'merge_rep',
      'POST',
      '/v1/contacts',
      JSON.stringify([
        { user_id: 'r1', name: 'A', city: '北京', attributes: { a: '1' } },
        { user_id: 'r1', phone: 'garbage' },
        { user_id: 'r1', name: 'B', attributes: { b: 2 } },
        { user_id: 'r1', vip_level: 5 },
      ]),
    );
    assert.deepEqual(r.json, { created: 1, updated: 0, rejected: [{ index: 1, error: { field: 'phone', message: 'phone: is not a valid mobile number' } }] });
    const row = await stored('merge_rep', 'r1');
    assert.deepEqual([row!.name, row!.city, row!.vip_level, row!.phone, row!.attributes], ['B', '北京', 5, '', { a: '1', b: '2' }]);
    const bad = await call('merge_rep', 'POST', '/v1/contacts', JSON.stringify([{ user_id: 'r1', vip_level: 10 }, { name: 'no id' }]));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'body[0].vip_level');
    assert.equal((await stored('merge_rep', 'r1'))!.vip_level, 5);
    assert.equal(await leftovers(), 0);
  });
});
