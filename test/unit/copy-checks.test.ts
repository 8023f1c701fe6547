/** Copy checks: planted problems are found where they were planted; a clean set of templates has none. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCopy, type CopyInput } from '../../templates/copy-checks.ts';

/** The problems (errors and warnings) as [code, position]; info findings are not problems. */
const problems = (input: CopyInput) =>
  checkCopy(input)
    .findings.filter((f) => f.severity !== 'info')
    .map((f) => [f.code, f.position ?? null]);

describe('copy checks', () => {
  it('finds each planted problem, at its position', () => {
    assert.deepEqual(problems({ text: '您的订单已发货', kind: 'service' }), [['SIGNATURE_MISSING', null]]);
    // 您 好 at 0-1, the signature at 2.
    assert.deepEqual(problems({ text: '您好【京东】您的订单已发货', kind: 'service' }), [['SIGNATURE_MISPLACED', 2]]);
    assert.deepEqual(problems({ text: '【京东】新品上市，点击 t.cn/abc', kind: 'promotion' }), [['UNSUBSCRIBE_HINT_MISSING', null]]);
    // 【0 X1 X2 金3 融4 】5 无6 抵7 押8 贷9 款10 ，11 百12 分13 百14 中15 奖16: 百分百中奖 is reported, not the 百分百 and 中奖 inside it.
    assert.deepEqual(problems({ text: '【XX金融】无抵押贷款，百分百中奖，回T退订', kind: 'promotion' }), [
      ['SENSITIVE_WORD', 6],
      ['SENSITIVE_WORD', 9],
      ['SENSITIVE_WORD', 12],
    ]);
    // 【0 商1 城2 】3 全4 网5 最6 低7 价8 ，9 第10 一11
    assert.deepEqual(problems({ text: '【商城】全网最低价，第一品牌，回TD退订', kind: 'promotion' }), [
      ['EXAGGERATED_CLAIM', 6],
      ['EXAGGERATED_CLAIM', 10],
    ]);
    // {coupon} starts at 【0 商1 城2 】3 {name} 4-9 您10 好11 ，12 您13 的14 {15
    assert.deepEqual(problems({ text: '【商城】{name}您好，您的{coupon}已到账', kind: 'service' }), [['VARIABLE_NOT_PROVIDED', 15]]);
    assert.deepEqual(problems({ text: '【商城】领券 https://a.cn/x 下单 t.cn/y 回T退订', kind: 'promotion' }), [['LINKS', null]]);
  });

  it('reports every finding in both languages, with a severity', () => {
    const { findings } = checkCopy({ text: '全场最低价 100% 正品 t.cn/x', kind: 'promotion' });
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity]),
      [
        ['SIGNATURE_MISSING', 'error'],
        ['UNSUBSCRIBE_HINT_MISSING', 'error'],
        ['EXAGGERATED_CLAIM', 'warning'],
        ['EXAGGERATED_CLAIM', 'warning'],
        ['LINKS', 'info'],
        ['BILLED_PARTS', 'info'],
      ],
    );
    for (const f of findings) assert.ok(f.message_en && /[\u4e00-\u9fff]/.test(f.message_zh), f.code);
    assert.match(findings[3]!.message_en, /"100%"/);
  });

  it('puts the signature given apart in front of the text, and counts it in the parts', () => {
    const report = checkCopy({ text: `您的验证码是1234${'。'.repeat(56)}`, signature: '京东', kind: 'service' });
    assert.equal(report.message.slice(0, 4), '【京东】');
    assert.deepEqual(problems({ text: '您的验证码是1234', signature: '【京东】', kind: 'service' }), []);
    // 4 + 10 + 56 = 70: one part; one character more is two.
    assert.deepEqual([report.parts.units, report.parts.parts], [70, 1]);
    const longer = checkCopy({ text: `您的验证码是1234${'。'.repeat(57)}`, signature: '京东', kind: 'service' });
    assert.deepEqual([longer.parts.units, longer.parts.parts], [71, 2]);
    assert.deepEqual(problems({ text: `您的验证码是1234${'。'.repeat(57)}`, signature: '京东', kind: 'service' }), [['BILLED_PARTS', null]]);
    assert.match(longer.findings.at(-1)!.message_en, /^2 part\(s\)/);
  });

  it("counts parts at each variable's longest value in the audience, and names variables it lacks", () => {
    const audienceValues = new Map([
      ['name', '欧阳'.repeat(10)],
      ['city', '北京'],
    ]);
    const text = '【商城】{name}您好，{city}门店的{coupon}已到账';
    const report = checkCopy({ text, kind: 'service', audienceValues });
    // 【商城】4 + 20 + 您好，3 + 北京 2 + 门店的 3 + {coupon} 8 (unfilled: as written) + 已到账 3 = 43
    assert.deepEqual([report.parts.units, report.parts.parts], [43, 1]);
    assert.deepEqual(report.variables, ['name', 'city', 'coupon']);
    const missing = report.findings.filter((f) => f.code === 'VARIABLE_NOT_PROVIDED');
    assert.deepEqual(
      missing.map((f) => [f.severity, f.position]),
      [['error', text.indexOf('{coupon}')]],
    );
    const long = checkCopy({ text: `【商城】{name}${'好'.repeat(50)}`, kind: 'service', audienceValues });
    assert.equal(long.parts.parts, 2, '4 + 20 + 50 = 74 units: the longest name makes it two parts');
  });

  it('takes a replacement word list and replacement unsubscribe hints', () => {
    const text = '【商城】最后一天，验证码专享，回T退订';
    assert.deepEqual(problems({ text, kind: 'promotion', bannedWords: ['验证码'] }), [['SENSITIVE_WORD', text.indexOf('验证码')]]);
    assert.deepEqual(problems({ text, kind: 'promotion', bannedWords: [], unsubscribeForms: ['回复STOP'] }), [['UNSUBSCRIBE_HINT_MISSING', null]]);
    assert.deepEqual(problems({ text: '【Shop】New in. Reply   td to opt out', kind: 'promotion' }), [], 'hints match without spaces or case');
  });

  it('finds no problem in a clean set', () => {
    const clean: CopyInput[] = [
      { text: '【京东】{name}您好，您的订单已发货，请留意查收。', kind: 'service' },
      { text: '【XX超市】进口牛奶今明两日会员9折，详情 t.cn/A6x 回T退订', kind: 'promotion' },
      { text: '【银行】您尾号1234的账户今日入账500元。', kind: 'service' },
      { text: '{name}同学，春季课程开课啦，报名享9折，拒收请回复R【教育】', kind: 'promotion' },
      { text: 'Your parcel ships today. Reply TD to opt out', signature: 'Shop', kind: 'promotion' },
      { text: '您的验证码是{user_id}，5分钟内有效', signature: '京东', kind: 'service' },
    ];
    for (const input of clean) assert.deepEqual(problems(input), [], input.text);
  });
});
