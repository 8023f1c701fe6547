/** The scale benchmark's table: ratios to the baseline, each target judged against its own reference row. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable, judge } from '../../bench/scale-report.ts';
import { measure } from '../../bench/scale.ts';
import { errors } from '../../common/errors.ts';

describe('scale benchmark table', () => {
  const rows = [
    { key: 'baseline', label: 'baseline', seconds: 2 },
    { key: 'preview', label: 'preview', short: 'its preview', seconds: 1.5, target: { max: 1 } },
    { key: 'slow', label: 'slow preview', seconds: 2.5, target: { max: 1 } },
    { key: 'materialize', label: 'materialize', seconds: 3, target: { of: 'preview', max: 2 } },
    { key: 'stopped', label: 'funnel', seconds: null, stopped: 'timeout', target: { max: 3 } },
    { key: 'free', label: 'no target', seconds: 4 },
  ];

  it('gives ratios to the baseline and judges each target against its own reference row', () => {
    const judged = judge(rows, 'baseline');
    assert.deepEqual(
      judged.map((r) => r.ratio),
      [1, 0.75, 1.25, 1.5, null, 2],
    );
    assert.deepEqual(
      judged.map((r) => r.verdict),
      ['', 'pass', 'miss', 'pass', 'miss', ''],
    );
    assert.equal(judged[3]!.targetText, '≤ 2× its preview');
    const table = formatTable(judged, 120).split('\n');
    assert.equal(table.length, 2 + rows.length);
    assert.match(table[6]!, /\| funnel \| {2}\| > 120 s \| {2}\| ≤ 3× baseline \| miss \|/);
    assert.match(table[4]!, /\| slow preview \| {2}\| 2\.50 \| 1\.25× \| ≤ 1× baseline \| miss \|/);
  });

  it('measures the second of two runs, one run for a writer, and reports a stopped or unsupported query', async () => {
    let calls = 0;
    const twice = await measure({ key: 'a', label: 'a', run: async () => `answer ${++calls}` });
    assert.equal(calls, 2);
    assert.equal(twice.answer, 'answer 2');
    assert.ok(twice.seconds !== null && twice.seconds < 1);
    await measure({ key: 'b', label: 'b', once: true, run: async () => `answer ${++calls}` });
    assert.equal(calls, 3);
    const stopped = await measure({
      key: 'c',
      label: 'c',
      run: async () => {
        calls++;
        throw errors.queryTimeout();
      },
    });
    assert.deepEqual([stopped.seconds, stopped.stopped, calls], [null, 'timeout', 4]);
    const noFinal = await measure({
      key: 'd',
      label: 'd',
      run: async () => {
        throw Object.assign(new Error("Storage MergeTree doesn't support FINAL"), { code: '181' });
      },
    });
    assert.match(noFinal.stopped!, /no FINAL/);
    await assert.rejects(
      measure({
        key: 'e',
        label: 'e',
        run: async () => {
          throw new Error('broken rule');
        },
      }),
      /broken rule/,
    );
  });

  it('refuses a target that names no row', () => {
    assert.throws(() => judge([...rows, { key: 'x', label: 'x', seconds: 1, target: { of: 'nope', max: 1 } }], 'baseline'), /unknown row nope/);
  });
});
