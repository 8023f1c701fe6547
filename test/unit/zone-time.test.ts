import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addZoneDays, bucketEnd, bucketStart, startOfZoneHour, zonedInstant, zoneOffsetMs } from '../../common/zone-time.ts';

// Every expected instant below was computed independently with python3's zoneinfo, e.g.
//   datetime(2026, 3, 9, 0, 0, tzinfo=ZoneInfo('America/New_York')).astimezone(timezone.utc)  ->  2026-03-09T04:00Z
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

describe('calendar arithmetic in a zone', () => {
  it('a day bucket is midnight to midnight: 23 h on the spring-forward day, 25 h on the fall-back day', () => {
    const cases: [string, string, string, string, number][] = [
      // zone, an instant inside the day, its local midnight, the next one, hours between
      ['America/New_York', '2026-03-08T12:00:00Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 23],
      ['America/New_York', '2026-11-01T12:00:00Z', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 25],
      ['Europe/Berlin', '2026-03-29T12:00:00Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
      ['Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
      ['Asia/Kolkata', '2026-05-01T12:00:00Z', '2026-04-30T18:30:00.000Z', '2026-05-01T18:30:00.000Z', 24],
      ['Australia/Eucla', '2026-05-01T12:00:00Z', '2026-04-30T15:15:00.000Z', '2026-05-01T15:15:00.000Z', 24],
    ];
    for (const [tz, inside, start, end, hours] of cases) {
      const s = bucketStart(at(inside), 'day', tz);
      assert.equal(iso(s), start, `${tz} ${inside}`);
      assert.equal(iso(bucketEnd(s, 'day', tz)), end, `${tz} ${inside}`);
      assert.equal((bucketEnd(s, 'day', tz) - s) / HOUR, hours);
    }
  });

  it('an hour is cut at the zone hour (xx:30 UTC in +05:30, xx:15 in +08:45) and is always 60 minutes', () => {
    assert.equal(iso(startOfZoneHour(at('2026-05-01T10:10:00Z'), 'Asia/Kolkata')), '2026-05-01T09:30:00.000Z');
    assert.equal(iso(startOfZoneHour(at('2026-05-01T10:40:00Z'), 'Asia/Kolkata')), '2026-05-01T10:30:00.000Z');
    assert.equal(iso(startOfZoneHour(at('2026-05-01T10:10:00Z'), 'Australia/Eucla')), '2026-05-01T09:15:00.000Z');
    assert.equal(iso(startOfZoneHour(at('2026-11-01T06:20:00Z'), 'America/New_York')), '2026-11-01T06:00:00.000Z'); // the second 01:00 (EST)
    const s = bucketStart(at('2026-05-01T10:10:00Z'), 'hour', 'Asia/Kolkata');
    assert.equal(bucketEnd(s, 'hour', 'Asia/Kolkata') - s, HOUR);
  });

  it('a week starts on Monday midnight in the zone and lasts 7 calendar days (167 h across spring-forward)', () => {
    // Sunday 2026-03-29 is Berlin's spring-forward day: its week began Monday 2026-03-23 00:00 CET.
    const s = bucketStart(at('2026-03-29T12:00:00Z'), 'week', 'Europe/Berlin');
    assert.equal(iso(s), '2026-03-22T23:00:00.000Z');
    assert.equal(iso(bucketEnd(s, 'week', 'Europe/Berlin')), '2026-03-29T22:00:00.000Z');
    assert.equal((bucketEnd(s, 'week', 'Europe/Berlin') - s) / HOUR, 167);
  });

  it('"7 days back" keeps the wall-clock time: 7×24 h ± the DST shift in between', () => {
    // Monday 10:00 EDT after New York's switch -> Monday 10:00 EST the week before: 167 h back.
    assert.equal(iso(addZoneDays(at('2026-03-09T14:00:00Z'), -7, 'America/New_York')), '2026-03-02T15:00:00.000Z');
    // Monday 10:00 CET after Berlin's switch back -> Monday 10:00 CEST the week before: 169 h back.
    assert.equal(iso(addZoneDays(at('2026-10-26T09:00:00Z'), -7, 'Europe/Berlin')), '2026-10-19T08:00:00.000Z');
    // No DST: exactly 7×24 h.
    assert.equal(addZoneDays(at('2026-05-08T10:15:00Z'), -7, 'Australia/Eucla'), at('2026-05-01T10:15:00Z'));
  });

  it('a wall time that is skipped moves on by the gap; one that repeats is its earlier instant', () => {
    const wall = { year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0, millisecond: 0 };
    assert.equal(iso(zonedInstant(wall, 'America/New_York')), '2026-03-08T07:30:00.000Z'); // 03:30 EDT
    assert.equal(iso(zonedInstant({ ...wall, month: 11, day: 1, hour: 1 }, 'America/New_York')), '2026-11-01T05:30:00.000Z'); // 01:30 EDT
    assert.equal(zoneOffsetMs(at('2026-05-01T00:00:00Z'), 'Australia/Eucla'), (8 * 60 + 45) * 60_000);
    assert.equal(zoneOffsetMs(at('2026-05-01T00:00:00Z'), 'Asia/Kolkata'), (5 * 60 + 30) * 60_000);
  });
});
