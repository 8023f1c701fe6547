import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_EXPERIMENT, INCIDENT, generateContacts, generateEvents, type DemoOptions } from '../../demo/generator.ts';
import { seedDemo } from '../../demo/seed.ts';
import type { EventInput } from '../../ingest/event-schema.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';
import { FIXTURE_YEAR } from '../helpers/fixture-time.ts';

const opts: DemoOptions = { contacts: 1500, weeks: 3, campaignsPerWeek: 3, seed: 7, endMs: Date.parse(`${FIXTURE_YEAR}-11-20T00:00:00Z`), batchSize: 4000 };
const allEvents = (o: DemoOptions): EventInput[] => [...generateEvents(o, generateContacts(o))].flat();

/** Delivered / deliveries, computed in plain TypeScript over the generated events. */
function deliveryRate(events: EventInput[], keep: (e: EventInput) => boolean): number {
  const deliveries = events.filter((e) => e.type === 'delivery' && keep(e));
  return deliveries.filter((e) => e.status === 'delivered').length / deliveries.length;
}

describe('demo data', () => {
  let wh: Warehouse;
  const events = allEvents(opts);
  // The first load, made by whichever test needs the data first (each test also runs alone).
  let firstLoad: ReturnType<typeof seedDemo> | undefined;
  const loaded = () => (firstLoad ??= seedDemo(wh, 'demo_ws', opts));
  before(async () => {
    wh = await openTestWarehouse('demo');
  });
  after(() => dropTestDatabase(wh));

  it('is the same for the same seed and differs for another', () => {
    assert.deepEqual(allEvents(opts), events);
    assert.notDeepEqual(allEvents({ ...opts, seed: 8 }).slice(0, 50), events.slice(0, 50));
    assert.ok(events.length > 10_000);
    assert.ok(events.every((e) => (e.ts as number) < opts.endMs));
  });

  it('plants a China Telecom delivery collapse and per-carrier differences', () => {
    const telecom = events.filter((e) => e.type === 'delivery' && e.carrier === INCIDENT.carrier);
    // Find the six-hour window the incident sits in: hours where Telecom's rate falls below 70 %.
    const byHour = new Map<number, EventInput[]>();
    for (const e of telecom) {
      const hour = Math.floor((e.ts as number) / 3600_000);
      byHour.set(hour, [...(byHour.get(hour) ?? []), e]);
    }
    const badHours = [...byHour].filter(([, list]) => list.length >= 20 && deliveryRate(list, () => true) < 0.7);
    assert.ok(badHours.length >= 1, 'some hour of Telecom deliveries collapses');
    const normal = (carrier: string) =>
      deliveryRate(events, (e) => e.carrier === carrier && !badHours.some(([h]) => Math.floor((e.ts as number) / 3600_000) === h));
    assert.ok(normal('China Mobile') > normal('China Unicom') && normal('China Unicom') > normal('China Telecom'));
    assert.ok(normal('China Telecom') > 0.9);
  });

  it('loads through the ingest paths, and the warehouse agrees with the generator', async () => {
    const report = await loaded();
    assert.equal(report.contacts, opts.contacts);
    assert.equal(report.rejected, 0);
    assert.equal(report.events, events.length);
    const rows = await wh.query<{ carrier: string; delivered: string; deliveries: string }>(
      `SELECT carrier, countIf(status = 'delivered') AS delivered, count() AS deliveries
       FROM events WHERE workspace_id = 'demo_ws' AND type = 'delivery' GROUP BY carrier ORDER BY carrier`,
    );
    for (const r of rows) {
      assert.equal(
        Number(r.delivered) / Number(r.deliveries),
        deliveryRate(events, (e) => e.carrier === r.carrier),
        r.carrier,
      );
    }
    // loading twice adds nothing: every event id is already stored
    await seedDemo(wh, 'demo_ws', opts);
    const [count] = await wh.query<{ n: string }>("SELECT count() AS n FROM events WHERE workspace_id = 'demo_ws'");
    assert.equal(Number(count!.n), events.length);
  });

  it('carries an A/B test whose treatment really clicks more', async () => {
    await loaded();
    const rates = await wh.query<{ variant: string; clicks: string; exposed: string }>(
      `SELECT variant, countIf(type = 'click') AS clicks, countIf(type = 'exposure') AS exposed
       FROM events WHERE workspace_id = 'demo_ws' AND experiment_id = {exp:String} GROUP BY variant ORDER BY variant`,
      { exp: DEMO_EXPERIMENT.id },
    );
    assert.deepEqual(
      rates.map((r) => r.variant),
      DEMO_EXPERIMENT.variants.map((v) => v.key),
    );
    for (const r of rates) {
      const inJs = events.filter((e) => e.experiment_id === DEMO_EXPERIMENT.id && e.variant === r.variant);
      assert.equal(Number(r.clicks), inJs.filter((e) => e.type === 'click').length);
      assert.equal(Number(r.exposed), inJs.filter((e) => e.type === 'exposure').length);
    }
    const [control, question] = rates.map((r) => Number(r.clicks) / Number(r.exposed));
    assert.ok(question! > control!, `question ${question} > control ${control}`);
  });
});
