/**
 * Templates through a real listener: the registry (versions, checks on every answer, roles, another
 * workspace's template answering as missing) and POST /v1/templates/check at an audience's longest values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fetchCaller, type CallAnswer, type Caller } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';

const t = await startTestApp('templates_http');
let call: Caller;
const key = { marketer: '', analyst: '', sender: '', otherMarketer: '' };
let audienceId = '';
let otherAudienceId = '';

const ok = async (expected: number, method: string, url: string, k: string, body?: unknown, headers?: Record<string, string>): Promise<CallAnswer> => {
  const res = await call(method, url, k, body, headers);
  assert.equal(res.status, expected, `${method} ${url}: ${res.text.slice(0, 500)}`);
  return res;
};
const codes = (template: CallAnswer) => template.json.check.findings.map((f: { code: string }) => f.code);

/** Contacts tagged `tpl`, snapshotted into an audience; returns its id. */
async function audienceOf(k: string, contacts: object[]): Promise<{ id: string; excluded: Record<string, number> }> {
  await ok(200, 'POST', '/v1/contacts', k, contacts);
  await ok(200, 'POST', '/v1/tags', k, { assignments: contacts.map((c) => ({ user_id: (c as { user_id: string }).user_id, tag: 'tpl' })) });
  const segment = await ok(201, 'POST', '/v1/segments', k, { name: 'template audience', rule: { tag: 'tpl' } });
  const audience = await ok(200, 'POST', `/v1/segments/${segment.json.id}/materialize`, k, {});
  return { id: audience.json.audience_id, excluded: audience.json.excluded };
}

describe('templates over HTTP', () => {
  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    call = fetchCaller(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`);
    key.marketer = await t.keyFor('marketer', 'tpl_a');
    key.analyst = await t.keyFor('analyst', 'tpl_a');
    key.sender = await t.keyFor('sender', 'tpl_a');
    key.otherMarketer = await t.keyFor('marketer', 'tpl_b');
    const signup = '2024-01-01T00:00:00Z';
    const mine = await audienceOf(key.marketer, [
      { user_id: 'u1', phone: '+8613800000001', name: '王五', signup_at: signup, attributes: { coupon: 'A1' } },
      { user_id: 'u2', phone: '+8613800000002', name: '欧阳娜娜', signup_at: signup, attributes: { coupon: 'VIP2025ABCD' } },
      { user_id: 'u3', phone: '+8613800000003', name: 'Li', signup_at: signup },
      // Not sent to (no phone): its long values must not count.
      { user_id: 'u4', name: '长'.repeat(60), signup_at: signup, attributes: { coupon: 'Z'.repeat(100) } },
    ]);
    assert.equal(mine.excluded.no_phone, 1);
    audienceId = mine.id;
    otherAudienceId = (await audienceOf(key.otherMarketer, [{ user_id: 'o1', phone: '+8613900000001', name: 'other', signup_at: signup }])).id;
  });
  after(() => t.close());

  it("counts parts at each variable's longest value over the members sent to, and names what the audience lacks", async () => {
    const text = '【商城】{name}您好，券码{coupon}，{missing}';
    const res = await ok(200, 'POST', '/v1/templates/check', key.analyst, { text, kind: 'service', audience_id: audienceId });
    // Filled by hand: 【商城】 欧阳娜娜 您好，券码 VIP2025ABCD ， {missing} = 4 + 4 + 5 + 11 + 1 + 9.
    assert.deepEqual(res.json.parts, { encoding: 'UCS-2', units: 34, parts: 1, per_part_limit: 70 });
    assert.deepEqual(res.json.variables, ['name', 'coupon', 'missing']);
    const missing = res.json.findings.filter((f: { code: string }) => f.code === 'VARIABLE_NOT_PROVIDED');
    assert.deepEqual(
      missing.map((f: { severity: string; position: number }) => [f.severity, f.position]),
      [['error', text.indexOf('{missing}')]],
    );

    // As written the text fits one part; filled with the audience's longest values it takes two.
    const long = `【商城】{name}您好，券码{coupon}${'好'.repeat(47)}`;
    const withValues = await ok(200, 'POST', '/v1/templates/check', key.marketer, { text: long, kind: 'service', audience_id: audienceId });
    const asWritten = await ok(200, 'POST', '/v1/templates/check', key.marketer, { text: long, kind: 'service' });
    // 4 + 4 (欧阳娜娜) + 5 + 11 (VIP2025ABCD) + 47 = 71 → 2 parts; as written 4 + 6 ({name}) + 5 + 8 ({coupon}) + 47 = 70 → 1.
    assert.deepEqual([withValues.json.parts.units, withValues.json.parts.parts], [71, 2]);
    assert.deepEqual([asWritten.json.parts.units, asWritten.json.parts.parts], [70, 1]);
    const billed = withValues.json.findings.find((f: { code: string }) => f.code === 'BILLED_PARTS');
    assert.equal(billed.severity, 'warning');
    assert.match(billed.message_en, /^2 part\(s\)/);
    assert.match(billed.message_zh, /计费 2 条/);
    // Without an audience a variable that is no export field is only a warning.
    assert.equal(asWritten.json.findings.find((f: { code: string }) => f.code === 'VARIABLE_NOT_PROVIDED').severity, 'warning');
  });

  it("answers another workspace's audience exactly like a missing one", async () => {
    const body = { text: '【商城】{name}', kind: 'service' };
    const foreign = await ok(404, 'POST', '/v1/templates/check', key.marketer, { ...body, audience_id: otherAudienceId });
    const missing = await ok(404, 'POST', '/v1/templates/check', key.marketer, { ...body, audience_id: 'no-such-audience' });
    assert.equal(foreign.json.code, 'NOT_FOUND');
    assert.equal(foreign.json.message.replace(otherAudienceId, 'X'), missing.json.message.replace('no-such-audience', 'X'));
  });

  it('finds planted words with positions, and takes a replacement word list', async () => {
    const text = '【XX金融】无抵押贷款，回T退订';
    const res = await ok(200, 'POST', '/v1/templates/check', key.marketer, { text, kind: 'promotion' });
    assert.deepEqual(
      res.json.findings.filter((f: { code: string }) => f.code === 'SENSITIVE_WORD').map((f: { position: number }) => f.position),
      [text.indexOf('无抵押'), text.indexOf('贷款')],
    );
    const replaced = await ok(200, 'POST', '/v1/templates/check', key.marketer, { text, kind: 'promotion', banned_words: ['金融'] });
    assert.deepEqual(
      replaced.json.findings.filter((f: { code: string }) => f.code === 'SENSITIVE_WORD').map((f: { position: number }) => f.position),
      [text.indexOf('金融')],
    );
  });

  it('keeps versions, with the checks on every answer', async () => {
    const created = await ok(201, 'POST', '/v1/templates', key.marketer, {
      name: 'spring sale',
      text: '春季新品9折，详情 t.cn/x',
      signature: '商城',
      kind: 'promotion',
      channel: '106',
    });
    assert.equal(created.json.version, 1);
    assert.deepEqual(created.json.spec, { text: '春季新品9折，详情 t.cn/x', signature: '商城', channel: '106', kind: 'promotion' });
    assert.equal(created.json.check.message, '【商城】春季新品9折，详情 t.cn/x');
    assert.deepEqual(codes(created), ['UNSUBSCRIBE_HINT_MISSING', 'LINKS', 'BILLED_PARTS']);

    const id = created.json.id;
    const read = await ok(200, 'GET', `/v1/templates/${id}`, key.analyst);
    assert.deepEqual(read.json, created.json);

    const changed = await ok(
      200,
      'PUT',
      `/v1/templates/${id}`,
      key.marketer,
      { name: 'spring sale', text: '春季新品9折，详情 t.cn/x 回T退订', signature: '商城', kind: 'promotion' },
      { 'if-match': '"1"' },
    );
    assert.equal(changed.json.version, 2);
    assert.equal(changed.json.spec.channel, null);
    assert.deepEqual(codes(changed), ['LINKS', 'BILLED_PARTS']);
    assert.deepEqual((await ok(200, 'GET', `/v1/templates/${id}`, key.analyst)).json, changed.json);

    const stale = await ok(409, 'PUT', `/v1/templates/${id}`, key.marketer, { name: 'x', text: 'y', kind: 'service' }, { 'if-match': '"1"' });
    assert.equal(stale.json.code, 'VERSION_CONFLICT');

    const list = await ok(200, 'GET', '/v1/templates?limit=100', key.analyst);
    const listed = list.json.templates.find((x: { id: string }) => x.id === id);
    assert.deepEqual(listed, changed.json);
  });

  it("answers another workspace's template exactly like a missing one, for reads and writes", async () => {
    const created = await ok(201, 'POST', '/v1/templates', key.marketer, { name: 'mine', text: '【商城】您的订单已发货', kind: 'service' });
    const body = { name: 'theirs', text: '【商城】x', kind: 'service' };
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', body],
    ] as const) {
      const foreign = await ok(404, method, `/v1/templates/${created.json.id}`, key.otherMarketer, payload);
      const missing = await ok(404, method, '/v1/templates/no-such-template', key.otherMarketer, payload);
      assert.equal(foreign.json.message.replace(created.json.id, 'X'), missing.json.message.replace('no-such-template', 'X'));
    }
    const theirs = await ok(200, 'GET', '/v1/templates?limit=100', key.otherMarketer);
    assert.deepEqual(theirs.json.templates, []);
  });

  it("checks with the workspace's own lists once set, and the defaults again when reset to null", async () => {
    const text = '【商城】本周秒杀，回复0退订';
    const before = await ok(200, 'POST', '/v1/templates/check', key.marketer, { text, kind: 'promotion' });
    assert.deepEqual(
      before.json.findings.map((f: { code: string }) => f.code),
      ['UNSUBSCRIBE_HINT_MISSING', 'BILLED_PARTS'],
    );
    const saved = await ok(200, 'PUT', '/v1/templates/settings', key.marketer, { banned_words: ['秒杀'], unsubscribe_forms: ['回复0退订'] });
    assert.deepEqual([saved.json.banned_words, saved.json.unsubscribe_forms], [['秒杀'], ['回复0退订']]);
    const after = await ok(200, 'POST', '/v1/templates/check', key.analyst, { text, kind: 'promotion' });
    assert.deepEqual(
      after.json.findings.map((f: { code: string; position?: number }) => [f.code, f.position ?? null]),
      [
        ['SENSITIVE_WORD', text.indexOf('秒杀')],
        ['BILLED_PARTS', null],
      ],
    );
    // A stored template is checked with the same lists; another workspace keeps the defaults.
    const template = await ok(201, 'POST', '/v1/templates', key.marketer, { name: 'flash', text, kind: 'promotion' });
    assert.deepEqual(codes(template), ['SENSITIVE_WORD', 'BILLED_PARTS']);
    const theirs = await ok(200, 'POST', '/v1/templates/check', key.otherMarketer, { text, kind: 'promotion' });
    assert.deepEqual(theirs.json.findings, before.json.findings);
    const read = await ok(200, 'GET', '/v1/templates/settings', key.otherMarketer);
    assert.deepEqual([read.json.banned_words, read.json.defaults.unsubscribe_forms[0]], [null, '回T退订']);
    const empty = await ok(400, 'PUT', '/v1/templates/settings', key.marketer, { banned_words: null, unsubscribe_forms: [' '] });
    assert.equal(empty.json.field, 'body.unsubscribe_forms');
    await ok(403, 'PUT', '/v1/templates/settings', key.analyst, { banned_words: null, unsubscribe_forms: null });
    await ok(200, 'PUT', '/v1/templates/settings', key.marketer, { banned_words: null, unsubscribe_forms: null });
    assert.deepEqual((await ok(200, 'POST', '/v1/templates/check', key.marketer, { text, kind: 'promotion' })).json.findings, before.json.findings);
  });

  it('refuses bad input naming the field, and roles that may not write', async () => {
    const badKind = await ok(400, 'POST', '/v1/templates', key.marketer, { name: 'x', text: 'y', kind: 'spam' });
    assert.equal(badKind.json.field, 'body.kind');
    const blank = await ok(400, 'POST', '/v1/templates', key.marketer, { name: 'x', text: '   ', kind: 'service' });
    assert.equal(blank.json.field, 'body.text');
    const badSignature = await ok(400, 'POST', '/v1/templates/check', key.marketer, { text: 'y', kind: 'service', signature: '【a】【b】' });
    assert.equal(badSignature.json.field, 'body.signature');
    const empty = await ok(400, 'POST', '/v1/templates/check', key.marketer, { text: '', kind: 'service' });
    assert.equal(empty.json.field, 'body.text');
    await ok(403, 'POST', '/v1/templates', key.analyst, { name: 'x', text: 'y', kind: 'service' });
    await ok(403, 'POST', '/v1/templates/check', key.sender, { text: 'y', kind: 'service' });
    await ok(401, 'GET', '/v1/templates', '');
  });
});
