import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCron, dueSlot, nextSlot } from '../../common/cron-schedule.ts';
import { isAppError } from '../../common/errors.ts';
import { now } from '../../common/clock.ts';
import { fixClock } from '../helpers/clock.ts';

// Expected instants by hand from New York's UTC offsets: EST is UTC-5, EDT UTC-4. In 2026 the clocks go
// forward on Sunday 8 March at 02:00 EST (to 03:00 EDT, so 02:00-02:59 never happens) and back on Sunday
// 1 November at 02:00 EDT (to 01:00 EST, so 01:00-01:59 happens twice). Checked with python3's zoneinfo.
const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The slots after `fromIso`, up to `count`, as the scheduler walks them (each after the previous one). */
function slots(cron: string, tz: string, fromIso: string, count: number): string[] {
  const out: string[] = [];
  for (let t = at(fromIso); out.length < count;) {
    const next = nextSlot(cron, tz, t)!;
    out.push(iso(next)!);
    t = next;
  }
  return out;
}

const refusal = (expression: string, min = 15) => {
  try {
    checkCron(expression, min);
    return undefined;
  } catch (err) {
    assert.ok(isAppError(err, 'VALIDATION_FAILED'), String(err));
    assert.equal(err.path, 'cron');
    return err.message;
  }
};

describe('cron slots in a time zone', () => {
  it('a local time the clocks skip runs at the first valid instant after the gap (spring forward, 02:30)', () => {
    assert.deepEqual(slots('30 2 * * *', NY, '2026-03-06T12:00:00Z', 4), [
      '2026-03-07T07:30:00.000Z', // 02:30 EST (-5)
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT (-4), the first instant after the gap
      '2026-03-09T06:30:00.000Z', // 02:30 EDT (-4)
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('a local time that happens twice runs once, at its first occurrence (fall back, 01:30)', () => {
    assert.deepEqual(slots('30 1 * * *', NY, '2026-10-31T12:00:00Z', 3), [
      '2026-11-01T05:30:00.000Z', // 01:30 EDT (-4); 01:30 EST (06:30Z) does not run again
      '2026-11-02T06:30:00.000Z', // 01:30 EST (-5)
      '2026-11-03T06:30:00.000Z',
    ]);
    // A list of fixed times is fixed too: 01:30 once, then 02:30 EST.
    assert.deepEqual(slots('30 1,2 * * *', NY, '2026-10-31T12:00:00Z', 2), ['2026-11-01T05:30:00.000Z', '2026-11-01T07:30:00.000Z']);
  });

  it('an hourly expression counts real hours: both passes of the repeated hour, none in the skipped one', () => {
    // 00:00 EDT = 04Z, 01:00 EDT = 05Z, 01:00 EST = 06Z, 02:00 EST = 07Z.
    assert.deepEqual(slots('0 * * * *', NY, '2026-11-01T03:30:00Z', 4), [
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
    // 01:00 EST = 06Z, then 03:00 EDT = 07Z: 02:00 does not exist and does not run.
    assert.deepEqual(slots('0 * * * *', NY, '2026-03-08T05:30:00Z', 2), ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z']);
  });

  it('the same expression names other instants in another zone (Asia/Shanghai, +8, no DST)', () => {
    assert.deepEqual(slots('0 8 * * *', 'Asia/Shanghai', '2026-03-07T12:00:00Z', 2), ['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
  });
});

describe('which slot is due', () => {
  const daily8 = '0 8 * * *';
  // 08:00 EDT (-4) is 12:00Z from 9 March 2026.
  it('nothing before the first slot after the last run; the slot itself at exactly its time', () => {
    const last = at('2026-03-12T12:00:00Z'); // Thursday 08:00 EDT ran
    assert.equal(dueSlot(daily8, NY, last, at('2026-03-13T11:59:59Z')), undefined);
    assert.equal(iso(dueSlot(daily8, NY, last, at('2026-03-13T12:00:00Z'))), '2026-03-13T12:00:00.000Z');
    assert.equal(iso(dueSlot(daily8, NY, last, at('2026-03-13T12:00:30.500Z'))), '2026-03-13T12:00:00.000Z');
  });

  it('missed slots (server down Monday to Friday) give one run, for the latest, then nothing until the next', () => {
    const restore = fixClock(at('2026-03-13T13:00:00Z')); // Friday 09:00 EDT
    try {
      const created = at('2026-03-09T03:00:00Z'); // Sunday 23:00 EDT: Monday to Friday 08:00 are missed
      const due = dueSlot(daily8, NY, created, now());
      assert.equal(iso(due), '2026-03-13T12:00:00.000Z');
      // Once that slot has run, the ones before it are behind it: nothing is due again today.
      assert.equal(dueSlot(daily8, NY, due!, now()), undefined);
      assert.equal(iso(dueSlot(daily8, NY, due!, at('2026-03-14T12:00:00Z'))), '2026-03-14T12:00:00.000Z');
    } finally {
      restore();
    }
  });

  it('a missed spring-forward slot is due at its moved instant', () => {
    assert.equal(iso(dueSlot('30 2 * * *', NY, at('2026-03-07T12:00:00Z'), at('2026-03-08T07:05:00Z'))), '2026-03-08T07:00:00.000Z');
    assert.equal(dueSlot('30 2 * * *', NY, at('2026-03-07T12:00:00Z'), at('2026-03-08T06:59:00Z')), undefined);
  });
});

describe('checking a schedule expression', () => {
  it('accepts expressions whose slots are at least the minimum apart', () => {
    for (const ok of ['*/15 * * * *', '0 8 * * *', '0 8 * * 1-5', '0,30 9-17 * * *', '0 0 29 2 *', '45 23 * * *']) assert.equal(refusal(ok), undefined, ok);
    assert.equal(refusal('0 * * * *', 60), undefined);
  });

  it('refuses slots closer than the minimum, within a day and across midnight, naming cron', () => {
    assert.match(refusal('*/5 * * * *')!, /cron: fires more often than every 15 minutes/);
    assert.match(refusal('0,10 8 * * *')!, /every 15 minutes/);
    assert.match(refusal('5,55 0,23 * * *')!, /every 15 minutes/); // 23:55 then 00:05 the next day
    assert.match(refusal('5,55 0,23 15,16 * *')!, /every 15 minutes/); // the 15th 23:55, the 16th 00:05
    assert.equal(refusal('5,55 0,23 1,15 * *'), undefined); // never two days in a row
    assert.match(refusal('0 * * * *', 90)!, /every 90 minutes/);
  });

  it('refuses what is not a valid 5-field expression, or never fires', () => {
    for (const bad of ['61 * * * *', '0 8 * *', '0 0 8 * * *', 'every day', '']) assert.match(refusal(bad)!, /cron: not a 5-field cron expression/, bad);
    assert.match(refusal('0 0 31 2 *')!, /cron: never fires/);
  });
});
