import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import murmurhash from 'murmurhash';
import { allocationPoint, assignVariant, compileAllocation, HOLDOUT, murmur3 } from '../../experiments/allocation.ts';

describe('deterministic allocation', () => {
  it('hashes with MurmurHash3 x86_32 of UTF-8 `salt:user_id`, as an independent implementation computes', () => {
    // From test/fixtures/murmur3.py (a separate Python implementation of the reference algorithm).
    const vectors: [string, number][] = [
      ['exp_title_question:u0000001', 2809381516],
      ['exp_title_question:u0000002', 1051405685],
      ['salt-A:13812345678', 833638786],
      ['salt-B:13812345678', 3605623128],
      ['exp1:用户甲', 3554413436],
      ['exp1:', 2265901289],
      ['x:a', 2510509508],
      ['x:ab', 4129577792],
      ['x:abc', 2929179456],
    ];
    for (const [key, hash] of vectors) {
      const [salt, ...rest] = key.split(':');
      assert.equal(allocationPoint(salt!, rest.join(':')), hash / 2 ** 32, key);
      assert.equal(murmurhash.v3(key, 0), hash, `the murmurhash package agrees on ${key}`);
    }
    // Published MurmurHash3 x86_32 vectors (SMHasher), with seeds.
    for (const [text, seed, hash] of [
      ['', 1, 0x514e28b7],
      ['', 0xffffffff, 0x81f16f39],
      ['aaaa', 0x9747b28c, 0x5a97808a],
      ['Hello, world!', 0x9747b28c, 0x24884cba],
      ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ] as const) {
      assert.equal(murmur3(text, seed), hash, text);
    }
  });

  it('cuts holdout first, then cumulative weights in declared order', () => {
    const plan = {
      salt: 'exp_title_question',
      holdout: 0.1,
      variants: [
        { key: 'control', weight: 1 },
        { key: 'question', weight: 1 },
      ],
    };
    // u(u0000001) = 0.6541: past the 0.1 holdout; cut at 0.1 + 0.45 = 0.55 -> question
    assert.equal(assignVariant(plan, 'u0000001'), 'question');
    // u(u0000002) = 0.2448 -> control
    assert.equal(assignVariant(plan, 'u0000002'), 'control');
    assert.equal(assignVariant({ ...plan, holdout: 0.3 }, 'u0000002'), HOLDOUT);
    assert.equal(
      assignVariant(
        {
          ...plan,
          variants: [
            { key: 'a', weight: 3 },
            { key: 'b', weight: 1 },
          ],
        },
        'u0000001',
      ),
      'a',
      '0.654 < 0.1 + 0.9 * 0.75',
    );
  });

  it('is stable for a user and reshuffles only the experiment whose salt changes', () => {
    const a = compileAllocation({
      salt: 'exp-a',
      holdout: 0,
      variants: [
        { key: 'x', weight: 1 },
        { key: 'y', weight: 1 },
      ],
    });
    const b = compileAllocation({
      salt: 'exp-b',
      holdout: 0,
      variants: [
        { key: 'x', weight: 1 },
        { key: 'y', weight: 1 },
      ],
    });
    const b2 = compileAllocation({
      salt: 'exp-b-v2',
      holdout: 0,
      variants: [
        { key: 'x', weight: 1 },
        { key: 'y', weight: 1 },
      ],
    });
    // The expected variant from the murmurhash package (an independent hash): the lower half of [0, 1) is x.
    const expected = (salt: string, u: string) => (murmurhash.v3(`${salt}:${u}`, 0) / 2 ** 32 < 0.5 ? 'x' : 'y');
    const aAgain = compileAllocation({
      salt: 'exp-a',
      holdout: 0,
      variants: [
        { key: 'x', weight: 1 },
        { key: 'y', weight: 1 },
      ],
    });
    let moved = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = `user${i}`;
      assert.equal(a(u), expected('exp-a', u), u);
      assert.equal(aAgain(u), a(u), `a second compilation of the same plan agrees on ${u}`);
      assert.equal(b2(u), expected('exp-b-v2', u), u);
      if (b(u) !== b2(u)) moved++;
    }
    assert.ok(moved > 4500 && moved < 5500, `about half move when the salt changes: ${moved}`);
  });

  it('is uniform: χ² over 1,000,000 ids in 100 bins does not reject, and weights are honoured', () => {
    const bins = new Array<number>(100).fill(0);
    const counts = new Map<string, number>();
    const assign = compileAllocation({
      salt: 'uniformity',
      holdout: 0.2,
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 2 },
        { key: 'c', weight: 1 },
      ],
    });
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      const id = `u${i}`;
      bins[Math.floor(allocationPoint('uniformity', id) * 100)]!++;
      const v = assign(id);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const expected = n / 100;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    const p = 1 - chisquareCdf(chi2, 99);
    assert.ok(p > 0.001, `χ² = ${chi2.toFixed(1)}, p = ${p}`);
    const share = (k: string) => counts.get(k)! / n;
    for (const [k, want] of [
      [HOLDOUT, 0.2],
      ['a', 0.2],
      ['b', 0.4],
      ['c', 0.2],
    ] as const)
      assert.ok(Math.abs(share(k) - want) < 0.003, `${k}: ${share(k)}`);
  });
});
