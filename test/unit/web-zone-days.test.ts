/**
 * The web app's day pickers cut days in the workspace's zone (web/lib/zone-days.js, run here in Node, which has the
 * same Intl). Expected instants worked out by hand from the zones' offsets (and checked with python3's zoneinfo).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error -- a browser module in plain JavaScript, without type declarations
import { daysBefore, nextDay, zoneDay, zoneMidnight } from '../../web/lib/zone-days.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('web app: days in the workspace zone', () => {
  it('finds the midnight that starts a day, across DST and in half- and three-quarter-hour zones', () => {
    const cases: [string, string, string][] = [
      ['2026-12-01', 'Asia/Shanghai', '2026-11-30T16:00:00.000Z'], // +08:00
      ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z'], // still EST (−05:00) at midnight; 23-hour day
      ['2026-03-09', 'America/New_York', '2026-03-09T04:00:00.000Z'], // EDT (−04:00)
      ['2026-10-25', 'Europe/Berlin', '2026-10-24T22:00:00.000Z'], // CEST (+02:00); 25-hour day
      ['2026-10-26', 'Europe/Berlin', '2026-10-25T23:00:00.000Z'], // CET (+01:00)
      ['2026-05-01', 'Asia/Kolkata', '2026-04-30T18:30:00.000Z'], // +05:30
      ['2026-05-01', 'Australia/Eucla', '2026-04-30T15:15:00.000Z'], // +08:45
      ['2026-05-01', 'UTC', '2026-05-01T00:00:00.000Z'],
    ];
    for (const [day, zone, expected] of cases) assert.equal(iso(zoneMidnight(day, zone)), expected, `${day} in ${zone}`);
    // The DST days' lengths follow: 23 h in New York in March, 25 h in Berlin in October.
    assert.equal(zoneMidnight('2026-03-09', 'America/New_York') - zoneMidnight('2026-03-08', 'America/New_York'), 23 * 3_600_000);
    assert.equal(zoneMidnight('2026-10-26', 'Europe/Berlin') - zoneMidnight('2026-10-25', 'Europe/Berlin'), 25 * 3_600_000);
  });

  it('names the day an instant falls on in a zone, and steps days by the calendar', () => {
    assert.equal(zoneDay(Date.parse('2026-11-30T16:30:00Z'), 'Asia/Shanghai'), '2026-12-01');
    assert.equal(zoneDay(Date.parse('2026-11-30T16:30:00Z'), 'America/New_York'), '2026-11-30');
    assert.equal(zoneDay(Date.parse('2026-04-30T18:29:59Z'), 'Asia/Kolkata'), '2026-04-30');
    assert.equal(zoneDay(Date.parse('2026-04-30T18:30:00Z'), 'Asia/Kolkata'), '2026-05-01');
    assert.equal(nextDay('2026-12-31'), '2027-01-01');
    assert.equal(nextDay('2028-02-28'), '2028-02-29');
    assert.equal(daysBefore('2026-03-01', 29), '2026-01-31');
  });
});
