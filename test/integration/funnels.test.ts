/**
 * Funnels on a hand-computed case: step times follow the counted chain (PostHog's: the latest step-1 event that
 * still leads on, the earliest event of each next step), medians interpolate, the time-to-convert histogram,
 * both breakdown attributions (first touch; each group its own funnel), and another workspace's events never
 * count. Through a real HTTP listener.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const FROM = Date.parse(`${FIXTURE_YEAR}-11-10T00:00:00Z`);
const TO = Date.parse(`${FIXTURE_YEAR}-11-11T00:00:00Z`);
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
  average_seconds_from_previous: number | null;
}
/** The answer, or the error shape (`field`) of a refused request. */
interface FunnelAnswer {
  steps: StepAnswer[];
  breakdowns?: { value: string; steps: StepAnswer[] }[];
  time_to_convert?: { from_seconds: number; to_seconds: number; count: number }[];
  times_sampled?: boolean;
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
    // Step 2 gaps 600, 1800, 3600, 10800, 10800 → 3600; step 3 gaps 600, 5400 → 3000 (the mean of the two
    // middle values of an even count).
    assert.deepEqual(brief(body.steps), [
      [5, null],
      [5, 3600],
      [2, 3000],
    ]);
    assert.equal(body.steps[2]!.conversion_from_previous, 2 / 5);
    assert.deepEqual(
      body.steps.map((s) => s.average_seconds_from_previous),
      [null, (600 + 1800 + 3600 + 10800 + 10800) / 5, (600 + 5400) / 2],
    );
    // Step 1 to 3: u1 7200 s, u3 1200 s → ceil(cbrt(2)) = 2 bins of ceil(6000 / 2) = 3000 s from 1200, the last closed.
    assert.deepEqual(body.time_to_convert, [
      { from_seconds: 1200, to_seconds: 4200, count: 1 },
      { from_seconds: 4200, to_seconds: 7200, count: 1 },
    ]);
    assert.equal(body.times_sampled, false);
  });

  it('breakdown_attribution step: each group is its own funnel, the overall row is the unbroken funnel (u4 counts once, though split over groups)', async () => {
    const { status, body } = await post({ breakdown: 'campaign_id', breakdown_attribution: 'step' });
    assert.equal(status, 200);
    assert.deepEqual(brief(body.steps), [
      [5, null],
      [5, 3600],
      [2, 3000],
    ]);
    assert.deepEqual(
      body.breakdowns!.map((b) => [b.value, brief(b.steps)]),
      [
        [
          'c1',
          [
            [3, null],
            [2, 6300],
            [1, 5400],
          ],
        ],
        [
          'c2',
          [
            [2, null],
            [2, 5700],
            [1, 600],
          ],
        ],
      ],
    );
  });

  it("breakdown_attribution first_touch (the default): a unit counts under its first step-1 event's value", async () => {
    const { status, body } = await post({ breakdown: 'campaign_id' });
    assert.equal(status, 200);
    assert.equal((body as { breakdown_attribution?: string }).breakdown_attribution, 'first_touch');
    // c1: u1 (level 3), u2 (2), u4 (2: its send was in c1, its click in c2); c2: u3 (3), u6 (2).
    // Gaps: c1 step 2: 1800, 10800, 3600 → 3600; step 3: 5400. c2 step 2: 600, 10800 → 5700; step 3: 600.
    assert.deepEqual(
      body.breakdowns!.map((b) => [b.value, brief(b.steps)]),
      [
        [
          'c1',
          [
            [3, null],
            [3, 3600],
            [1, 5400],
          ],
        ],
        [
          'c2',
          [
            [2, null],
            [2, 5700],
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
