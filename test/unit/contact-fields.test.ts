/** CONTACT_FIELDS, without the engine: it drives the API schema, the import headers and the SQL statements. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUDIENCE_FIELDS,
  CONTACT_FIELDS,
  ContactSchema,
  buildContactSchema,
  contactAnswerProperties,
  contactFieldEntries,
  importHeaderFields,
} from '../../ingest/contact-schema.ts';
import { contactSql, contactSqlSlots, expectedContactTables } from '../../ingest/contact-sql.ts';
import { canonicalColumn, stageContact } from '../../ingest/imports/contact-fields.ts';
import { EXPORT_FIELDS } from '../../segmentation/exports.ts';
import { CONTACT_ATTRIBUTES } from '../../segmentation/rule-types.ts';
import { CONTACT_TABLES, withCoupon } from '../helpers/contact-fields.ts';

const fieldNames = Object.keys(CONTACT_FIELDS);

describe('CONTACT_FIELDS drives the contact schema, the import and the SQL', () => {
  it('the API schema has every field, only user_id required, nothing else accepted', () => {
    assert.deepEqual(Object.keys(ContactSchema.properties), fieldNames);
    assert.deepEqual(ContactSchema.required, ['user_id']);
    assert.equal((ContactSchema as { additionalProperties?: unknown }).additionalProperties, false);
  });

  it('every field name and alias is an import header for its field; tags and unknown headers are not fields', () => {
    for (const [name, spec] of contactFieldEntries()) {
      for (const header of spec.aliases === null ? [] : [name, ...spec.aliases]) {
        assert.equal(canonicalColumn(`  ${header.toUpperCase()} `), name, header);
      }
    }
    assert.equal(canonicalColumn('attributes'), 'attributes', 'no attributes column: it is a plain attribute name');
    assert.equal(canonicalColumn('标签'), 'tags');
    assert.equal(canonicalColumn('constructor'), 'constructor');
    const staged = stageContact({ 手机号: '13800000001', 性别: '女', 会员等级: '3', attributes: 'x', 注册时间: '2024-01-02' }, 2);
    assert.ok(staged.ok);
    assert.deepEqual(
      [staged.row.phone, staged.row.gender, staged.row.vip_level, staged.row.signup_at],
      ['+8613800000001', 'female', 3, '2024-01-02 00:00:00.000'],
    );
    assert.deepEqual({ ...staged.row.attributes }, { attributes: 'x' });
    assert.deepEqual(stageContact({ phone: '13800000001', vip: '10' }, 3), { ok: false, reason: 'vip_level: must be an integer 0-9' });
    assert.deepEqual(stageContact({ 姓名: '王' }, 4), { ok: false, reason: 'phone: a line needs a phone number (or a user_id)' });
  });

  it('every field is in the rendered merge, apply and audience statements', () => {
    const merge = contactSql('imports/merge');
    const apply = contactSql('imports/apply-contacts');
    const materialize = contactSql('audiences/materialize', { rule: '1' });
    const allocate = contactSql('experiments/allocate-audience');
    assert.doesNotMatch(merge + apply + materialize + allocate, /\{\{/, 'no slot left unfilled');
    const insertList = (statement: string) =>
      /INSERT INTO \w+\s*\(([^)]*)\)/
        .exec(statement)![1]!
        .split(',')
        .map((c) => c.trim());
    for (const name of fieldNames) {
      assert.ok(insertList(merge).includes(name), `merge inserts ${name}`);
      assert.ok(insertList(apply).includes(name), `apply inserts ${name}`);
      assert.match(merge, new RegExp(`\\) AS ${name},?\\n`), `merge computes ${name}`);
      assert.match(merge, new RegExp(`first\\.\\d+ AS ${name}\\b`), `merge reads the staged ${name}`);
    }
    for (const statement of [materialize, allocate])
      assert.deepEqual(
        insertList(statement).filter((c) => fieldNames.includes(c)),
        AUDIENCE_FIELDS,
      );
    assert.match(merge, /coalesce\(r\.city, c\.city, ''\) AS city/);
    assert.match(merge, /coalesce\(r\.birthday, c\.birthday\) AS birthday/);
    assert.match(merge, /mapUpdate\(c\.attributes, r\.attributes\) AS attributes/);
    assert.match(merge, /assumeNotNull\(r\.uid\) AS user_id/);
  });

  it('rule attributes and export fields come from the same list', () => {
    assert.deepEqual(Object.keys(CONTACT_ATTRIBUTES).sort(), fieldNames.filter((n) => contactFieldEntries().find(([f]) => f === n)![1].rule).sort());
    assert.equal(CONTACT_ATTRIBUTES.consent_at, undefined, 'consent_at is not a rule attribute (as before)');
    // Written out by hand: the fields an export offered before the list existed, in order.
    assert.deepEqual([...EXPORT_FIELDS], ['user_id', 'phone', 'name', 'gender', 'birthday', 'city', 'region', 'vip_level', 'attributes']);
  });

  it('a field added to the list reaches the schema, the import headers, the statements and the expected tables', () => {
    const schema = buildContactSchema(withCoupon);
    assert.ok('coupon' in schema.properties);
    assert.deepEqual(schema.required, ['user_id']);
    assert.equal(importHeaderFields(withCoupon)['coupon code'], 'coupon');
    assert.equal(importHeaderFields(withCoupon)['优惠券'], 'coupon');
    // The API's answer carries it too (a response schema without it would drop it).
    assert.equal((contactAnswerProperties(withCoupon).coupon as { type?: string } | undefined)?.type, 'string');
    const slots = contactSqlSlots(withCoupon);
    assert.match(contactSql('imports/merge', {}, slots), /coalesce\(r\.coupon, c\.coupon, ''\) AS coupon/);
    assert.match(contactSql('imports/apply-contacts', {}, slots), /attributes, coupon, updated_at\)/);
    assert.match(contactSql('experiments/allocate-audience', {}, slots), /attributes, coupon, excluded\)/);
    const tables = expectedContactTables(withCoupon);
    assert.deepEqual(
      CONTACT_TABLES.map((t) => tables[t]!.get('coupon')),
      ['String', 'Nullable(String)', 'String', 'String'],
    );
  });
});
