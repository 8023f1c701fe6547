/**
 * Funnels on a hand-computed case: median step times follow the first-event chain (t1 = first step-1 time,
 * t(i) = first step-i time at or after t(i-1)), a breakdown's overall row counts a unit once over all its
 * groups' events, and another workspace's events never count. Through a real HTTP listener.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

const FROM = Date.parse('2026-11-10T00:00:00Z');
const TO = Date.parse('2026-11-11T00:00:00Z');
const H = 3600_000;
const STEPS = ['send', 'click', 'conversion'];

// Expected values are worked out by hand from these events (24 h window):
// u1 c1: send +1h, click +1.5h, send +2h, conversion +3h    → level 3, gaps 1800 s, 5400 s
// u2 c1: click +0.5h (before its first send), send +1h, click +4h → level 2, gap 10800 s (not -1800 s)
// u3 c2: send +1h, click +1h10m, conversion +1h20m           → level 3, gaps 600 s, 600 s
// u4:    send +5h (c1), click +6h (c2)                       → overall level 2, gap 3600 s; c1 level 1; c2 none
// u5 c1: send before `from`, click +1h                       → no step 1 in range: not counted
// u6 c2: send +23h, click at to+2h, conversion at to+30h     → level 2, gap 10800 s (the conversion is past the window)
const EVENTS = [
  ['u1', 'c1', 'send', 1 * H],
  ['u1', 'c1', 'click', 1.5 * H],
  ['u1', 'c1', 'send', 2 * H],
  ['u1', 'c1', 'conversion', 3 * H],
  ['u2', 'c1', 'click', 0.5 * H],
  ['u2', 'c1', 'send', 1 * H],
  ['u2', 'c1', 'click', 4 * H],
  ['u3', 'c2', 'send', 1 * H],
  ['u3', 'c2', 'click', 1 * H + 600_000],
  ['u3', 'c2', 'conversion', 1 * H + 1_200_000],
  ['u4', 'c1', 'send', 5 * H],
  ['u4', 'c2', 'click', 6 * H],
  ['u5', 'c1', 'send', -1 * H],
  ['u5', 'c1', 'click', 1 * H],
  ['u6', 'c2', 'send', 23 * H],
  ['u6', 'c2', 'click', 26 * H],
  ['u6', 'c2', 'conversion', 54 * H],
] as const;

interface StepAnswer {
  count: number;
  conversion_from_previous: number | null;
  median_seconds_from_previous: number | null;
}
/** The answer, or the error shape (`field`) of a refused request. */
interface FunnelAnswer {
  steps: StepAnswer[];
  breakdowns?: { value: string; steps: StepAnswer[] }[];
  field?: string;
}

const toEvent = ([user, campaign, type, offset]: readonly [string, string, string, number], i: number, prefix: string) => ({
  event_id: `${prefix}${i}`,
  type,
  ts: new Date(FROM + offset).toISOString(),
  user_id: user,
  message_id: `${user}_${campaign}`,
  campaign_id: campaign,
  ...(type === 'send' && { status: 'accepted' }),
});

describe('funnels: hand-computed medians, breakdowns in one pass, workspace isolation', () => {
  let t: TestApp;
  let url: string;
  let analyst: string;

  before(async () => {
    t = await startTestApp('funnels');
    await postEvents(
      t,
      await t.keyFor('sender', 'fu'),
      EVENTS.map((e, i) => toEvent(e, i, 'f')),
    );
    // The same users in another workspace, with a chain u5 lacks here: it must not leak into 'fu'.
    await postEvents(
      t,
      await t.keyFor('sender', 'fu_other'),
      [
        ['u5', 'c1', 'send', 2 * H],
        ['u5', 'c1', 'click', 3 * H],
        ['u5', 'c1', 'conversion', 4 * H],
      ].map((e, i) => toEvent(e as [string, string, string, number], i, 'o')),
    );
    analyst = await t.keyFor('analyst', 'fu');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  const post = async (body: object, key = analyst) => {
    const res = await fetch(`${url}/v1/funnels`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ steps: STEPS, window_hours: 24, from: new Date(FROM).toISOString(), to: new Date(TO).toISOString(), ...body }),
    });
    return { status: res.status, body: (await res.json()) as FunnelAnswer };
  };
  const brief = (steps: StepAnswer[]) => steps.map((s) => [s.count, s.median_seconds_from_previous]);

  it('counts and medians follow the first-event chain (an earlier click does not make a negative gap)', async () => {
    const { status, body } = await post({});
    assert.equal(status, 200);
    // Step 2 gaps 600, 1800, 3600, 10800, 10800 → 3600; step 3 gaps 600, 5400 → 5400 (ClickHouse's exact
    // median of an even count is the upper middle value, as it was before).
    assert.deepEqual(brief(body.steps), [
      [5, null],
      [5, 3600],
      [2, 5400],
    ]);
    assert.equal(body.steps[2]!.conversion_from_previous, 2 / 5);
  });

  it('a breakdown: each group is its own funnel, the overall row is the unbroken funnel (u4 counts once, though split over groups)', async () => {
    const { status, body } = await post({ breakdown: 'campaign_id' });
    assert.equal(status, 200);
    assert.deepEqual(brief(body.steps), [
      [5, null],
      [5, 3600],
      [2, 5400],
    ]);
    assert.deepEqual(
      body.breakdowns!.map((b) => [b.value, brief(b.steps)]),
      [
        [
          'c1',
          [
            [3, null],
            [2, 10800],
            [1, 5400],
          ],
        ],
        [
          'c2',
          [
            [2, null],
            [2, 10800],
            [1, 600],
          ],
        ],
      ],
    );
  });

  it('another workspace sees only its own events; an empty funnel has zero counts and no medians', async () => {
    const other = await post({}, await t.keyFor('analyst', 'fu_other'));
    assert.deepEqual(brief(other.body.steps), [
      [1, null],
      [1, 3600],
      [1, 3600],
    ]);
    const empty = await post({ from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z', breakdown: 'campaign_id' });
    assert.deepEqual(brief(empty.body.steps), [
      [0, null],
      [0, null],
      [0, null],
    ]);
    assert.deepEqual(empty.body.breakdowns, []);
  });

  it('bad requests name the field', async () => {
    const badBreakdown = await post({ breakdown: 'phone' });
    assert.equal(badBreakdown.status, 400);
    assert.match(badBreakdown.body.field ?? '', /breakdown/);
    const backwards = await post({ from: new Date(TO).toISOString(), to: new Date(FROM).toISOString() });
    assert.equal(backwards.status, 400);
    assert.equal(backwards.body.field, 'body.to');
  });
});
