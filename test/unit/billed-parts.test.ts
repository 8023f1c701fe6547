/** Billed parts against hand-counted examples (GSM-7 160/153 septets, UCS-2 70/67 code units). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billedParts } from '../../templates/billed-parts.ts';

const ucs2 = (units: number, parts: number, per_part_limit = parts > 1 ? 67 : 70) => ({ encoding: 'UCS-2', units, parts, per_part_limit });
const gsm = (units: number, parts: number, per_part_limit = parts > 1 ? 153 : 160) => ({ encoding: 'GSM-7', units, parts, per_part_limit });

describe('billed parts', () => {
  it('counts pure Chinese as UCS-2, one unit a character, the signature included', () => {
    // 【 京 东 】 您 的 订 单 已 发 货: 11 characters.
    assert.deepEqual(billedParts('【京东】您的订单已发货'), ucs2(11, 1));
  });

  it('splits UCS-2 at exactly 70 / 71 characters', () => {
    assert.deepEqual(billedParts('短'.repeat(70)), ucs2(70, 1));
    assert.deepEqual(billedParts('短'.repeat(71)), ucs2(71, 2));
    assert.deepEqual(billedParts('短'.repeat(134)), ucs2(134, 2));
    assert.deepEqual(billedParts('短'.repeat(135)), ucs2(135, 3));
  });

  it('counts the 【签名】 signature: 66 characters fit with it, 67 do not', () => {
    assert.deepEqual(billedParts(`【签名】${'好'.repeat(66)}`), ucs2(70, 1));
    assert.deepEqual(billedParts(`【签名】${'好'.repeat(67)}`), ucs2(71, 2));
    assert.deepEqual(billedParts('好'.repeat(67)), ucs2(67, 1), 'without the signature the same text is one part');
  });

  it('makes a mixed text UCS-2 as a whole: one Chinese character turns 100 Latin letters into 2 parts', () => {
    assert.deepEqual(billedParts('Hello 你好'), ucs2(8, 1));
    assert.deepEqual(billedParts(`${'a'.repeat(100)}中`), ucs2(101, 2));
    assert.deepEqual(billedParts('a'.repeat(101)), gsm(101, 1));
    assert.deepEqual(billedParts('ç'), ucs2(1, 1), 'lower-case ç is not in the GSM alphabet (only Ç is)');
  });

  it('counts an emoji as two UTF-16 units and never splits it across parts', () => {
    assert.deepEqual(billedParts('Hi 😀'), ucs2(5, 1));
    assert.deepEqual(billedParts(`${'a'.repeat(68)}😀`), ucs2(70, 1));
    assert.deepEqual(billedParts(`${'a'.repeat(69)}😀`), ucs2(71, 2));
    // 66 + [😀 would be 68 > 67] | 2 + 65 = 67 | 1: three parts where 134 / 67 alone says two.
    assert.deepEqual(billedParts(`${'a'.repeat(66)}😀${'a'.repeat(66)}`), ucs2(134, 3));
  });

  it('splits GSM-7 at exactly 160 / 161 characters, 153 per part', () => {
    assert.deepEqual(billedParts('a'.repeat(160)), gsm(160, 1));
    assert.deepEqual(billedParts('a'.repeat(161)), gsm(161, 2));
    assert.deepEqual(billedParts('a'.repeat(306)), gsm(306, 2));
    assert.deepEqual(billedParts('a'.repeat(307)), gsm(307, 3));
    assert.deepEqual(billedParts('café £5 @home'), gsm(13, 1), 'é, £ and @ are in the basic set');
  });

  it('counts the extension characters ^{}\\[~]|€ as two septets each', () => {
    assert.deepEqual(billedParts('^{}\\[~]|€'), gsm(18, 1));
    assert.deepEqual(billedParts(`${'a'.repeat(158)}€`), gsm(160, 1));
    assert.deepEqual(billedParts(`${'a'.repeat(159)}€`), gsm(161, 2));
    // 152 + [€ would be 154 > 153] | 2 + 151 = 153 | 1: the escape and its character stay in one part.
    assert.deepEqual(billedParts(`${'a'.repeat(152)}€${'a'.repeat(152)}`), gsm(306, 3));
  });

  it('answers zero parts for an empty text', () => {
    assert.deepEqual(billedParts(''), gsm(0, 0, 160));
  });
});
