/**
 * PostHog's own funnel cases (test/fixtures/posthog-funnels.json, with their provenance) replayed through a real
 * HTTP listener: repeated steps, exclusions, strict and unordered order, the window's edge and equal timestamps.
 * Each case has its own workspace, so no case reads another's events. Also: the windowFunnel path and the fold
 * agree, and the new fields refuse what they cannot mean, naming the field.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

type FixtureEvent = [string, number, string?];
interface Seconds {
  median: (number | null)[];
  average: (number | null)[];
}
interface Case {
  name: string;
  source: string;
  request: Record<string, unknown>;
  units?: Record<string, FixtureEvent[]>;
  units_from?: string;
  expected: number[];
  expected_seconds?: Seconds;
  expected_breakdowns?: Record<string, number[]>;
  expected_breakdown_seconds?: Record<string, Seconds>;
}
const FIXTURE = JSON.parse(fs.readFileSync('test/fixtures/posthog-funnels.json', 'utf8')) as {
  cases: Case[];
  shared_units: Record<string, Record<string, FixtureEvent[]>>;
};

interface StepAnswer {
  count: number;
  median_seconds_from_previous: number | null;
  average_seconds_from_previous: number | null;
}
interface Answer {
  steps: StepAnswer[];
  breakdowns?: { value: string; steps: StepAnswer[] }[];
  field?: string;
}

// A base a few days before today (whole minutes), so the data never falls out of retention.
const BASE = Math.floor((Date.now() - 5 * 86_400_000) / 60_000) * 60_000;
const MIN = 60_000;
const RANGE = { from: new Date(BASE - 60 * MIN).toISOString(), to: new Date(BASE + 2 * 86_400_000).toISOString() };

function toEvents(units: Record<string, FixtureEvent[]>, prefix: string): object[] {
  return Object.entries(units).flatMap(([unit, events]) =>
    events.map(([type, at, campaign], i) => ({
      event_id: `${prefix}-${unit}-${i}`,
      type,
      ts: new Date(BASE + at * MIN).toISOString(),
      user_id: unit,
      message_id: `m-${unit}`,
      campaign_id: campaign ?? 'c',
      ...(type === 'send' && { status: 'accepted' }),
      ...(type === 'delivery' && { status: 'delivered' }),
      ...(type === 'exposure' && { experiment_id: 'exp', variant: 'a' }),
    })),
  );
}

const seconds = (steps: StepAnswer[]): Seconds => ({
  median: steps.map((s) => s.median_seconds_from_previous),
  average: steps.map((s) => s.average_seconds_from_previous),
});

describe('funnels match PostHog on its own cases (through HTTP)', () => {
  let t: TestApp;
  let url: string;
  const analysts: string[] = [];

  before(async () => {
    t = await startTestApp('funnel_posthog');
    for (const [i, c] of FIXTURE.cases.entries()) {
      const units = c.units ?? FIXTURE.shared_units[c.units_from!]!;
      await postEvents(t, await t.keyFor('sender', `ph${i}`), toEvents(units, `e${i}`));
      analysts.push(await t.keyFor('analyst', `ph${i}`));
    }
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  const post = async (body: object, key: string) => {
    const res = await fetch(`${url}/v1/funnels`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ ...RANGE, ...body }),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  for (const [i, c] of FIXTURE.cases.entries()) {
    it(`${c.name} (${c.source})`, async () => {
      const { status, body } = await post(c.request, analysts[i]!);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(
        body.steps.map((s) => s.count),
        c.expected,
      );
      if (c.expected_seconds) assert.deepEqual(seconds(body.steps), c.expected_seconds);
      if (c.expected_breakdowns)
        assert.deepEqual(Object.fromEntries(body.breakdowns!.map((b) => [b.value, b.steps.map((s) => s.count)])), c.expected_breakdowns);
      for (const [value, expected] of Object.entries(c.expected_breakdown_seconds ?? {}))
        assert.deepEqual(seconds(body.breakdowns!.find((b) => b.value === value)!.steps), expected);
    });
  }

  it('the windowFunnel path and the fold agree (an exclusion that never happens forces the fold)', async () => {
    const key = analysts[FIXTURE.cases.findIndex((c) => c.units_from === 'between-steps')]!;
    const steps = ['exposure', 'click', 'reply', 'conversion', 'send'];
    for (const window of [
      { value: 90, unit: 'minute' },
      { value: 3, unit: 'hour' },
      { value: 1, unit: 'day' },
    ]) {
      const plain = await post({ steps, window }, key);
      const folded = await post({ steps, window, exclusions: [{ type: 'complaint', from_step: 1, to_step: 5 }] }, key);
      assert.deepEqual(folded.body.steps, plain.body.steps);
    }
    // Hand-checked: from 01:00, a 90-minute window reaches click (02:00) only; 3 h reaches reply (04:00); 1 day all.
    const counts = async (value: number, unit: string) => (await post({ steps, window: { value, unit } }, key)).body.steps.map((s) => s.count);
    assert.deepEqual(await counts(90, 'minute'), [3, 3, 0, 0, 0]);
    assert.deepEqual(await counts(3, 'hour'), [3, 3, 3, 0, 0]);
    assert.deepEqual(await counts(1, 'day'), [3, 3, 3, 3, 3]);
  });

  it('refuses what a funnel cannot mean, naming the field', async () => {
    const key = analysts[0]!;
    const steps = ['exposure', 'click', 'reply'];
    const cases: [object, RegExp][] = [
      [{ steps, window: { value: 1, unit: 'day' }, exclusions: [{ type: 'unsubscribe', from_step: 1, to_step: 4 }] }, /^body\.exclusions\[0\]\.to_step$/],
      [{ steps, window: { value: 1, unit: 'day' }, exclusions: [{ type: 'unsubscribe', from_step: 2, to_step: 2 }] }, /^body\.exclusions\[0\]\.from_step$/],
      [
        { steps, order: 'unordered', window: { value: 1, unit: 'day' }, exclusions: [{ type: 'unsubscribe', from_step: 1, to_step: 2 }] },
        /exclusions\[0\]\.from_step/,
      ],
      [{ steps, window: { value: 91, unit: 'day' } }, /^body\.window\.value$/],
      [{ steps, window: { value: 1, unit: 'week' } }, /window/],
      [{ steps, window: { value: 1, unit: 'day' }, window_hours: 24 }, /^body\.window$/],
      [{ steps }, /^body\.window$/],
      [{ steps, window: { value: 1, unit: 'day' }, order: 'any' }, /order/],
      [{ steps, window: { value: 1, unit: 'day' }, breakdown: 'campaign_id', breakdown_attribution: 'last_touch' }, /breakdown_attribution/],
    ];
    for (const [body, field] of cases) {
      const res = await post(body, key);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.field ?? '', field, JSON.stringify(res.body));
    }
  });
});
