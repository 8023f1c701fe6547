import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertSpec } from '../../analytics/alert-types.ts';
import { alertsStore } from '../../analytics/alerts.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';

const BUILT_IN_IDS = ['default_click_rate', 'default_complaint_rate', 'default_conversion_rate', 'default_delivery_rate', 'default_send_success_rate'];

describe('alert rules: built-in defaults, reads that write nothing, alerts paged in SQL', () => {
  let t: TestApp;
  let url: string;
  before(async () => {
    t = await startTestApp('alert_rules_storage');
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  const api = async (key: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${url}/v1${path}`, { ...init, headers: { ...bearer(key), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  };
  /** Rows of every table of the test database, and the highest metadata version: what any write would change. */
  const databaseState = async () => ({
    tables: await t.wh.query<{ name: string; rows: string }>(
      'SELECT name, toString(total_rows) AS rows FROM system.tables WHERE database = currentDatabase() AND total_rows IS NOT NULL ORDER BY name',
    ),
    metadata: await t.wh.query('SELECT kind, count() AS n, max(version) AS v FROM metadata GROUP BY kind ORDER BY kind'),
    claims: await t.wh.query('SELECT count() AS n FROM version_claims'),
  });

  it('GET /v1/alert-rules and GET /v1/alerts leave the database unchanged (over a real listener), and still answer the five defaults', async () => {
    const analyst = await t.keyFor('analyst', 'ars_read');
    const before = await databaseState();
    for (let i = 0; i < 2; i++) {
      const rules = await api(analyst, '/alert-rules');
      assert.equal(rules.status, 200);
      assert.deepEqual(
        rules.body.rules.map((r: { id: string }) => r.id),
        BUILT_IN_IDS,
      );
      const delivery = rules.body.rules.find((r: { id: string }) => r.id === 'default_delivery_rate');
      assert.deepEqual(
        [delivery.name, delivery.version, delivery.spec.threshold, delivery.spec.breakdown, delivery.spec.interval, delivery.spec.min_volume],
        ['delivery_rate below 90%', 0, { below: 0.9 }, 'carrier', 'hour', 100],
      );
      assert.equal((await api(analyst, '/alerts')).status, 200);
    }
    assert.deepEqual(await databaseState(), before);
    assert.ok(before.tables.length > 5, 'the tables were counted');
  });

  it('a built-in default is edited (stored as version 1 under its id, listed once) and deleted for good; other workspaces keep theirs', async () => {
    const admin = await t.keyFor('admin', 'ars_edit');
    const body = { name: 'delivery below 80%', metric: 'delivery_rate', kind: 'threshold', threshold: { below: 0.8 }, breakdown: 'carrier' };
    const put = await api(admin, '/alert-rules/default_delivery_rate', { method: 'PUT', body: JSON.stringify(body) });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body.id, put.body.version, put.body.spec.threshold, put.body.spec.min_volume], ['default_delivery_rate', 1, { below: 0.8 }, 100]);
    let rules = (await api(admin, '/alert-rules')).body.rules as { id: string; name: string }[];
    assert.deepEqual(
      rules.map((r) => r.id),
      BUILT_IN_IDS,
    );
    assert.equal(rules.find((r) => r.id === 'default_delivery_rate')!.name, 'delivery below 80%');

    assert.equal((await api(admin, '/alert-rules/default_click_rate', { method: 'DELETE' })).status, 204);
    assert.equal((await api(admin, '/alert-rules/default_delivery_rate', { method: 'DELETE' })).status, 204);
    rules = (await api(admin, '/alert-rules')).body.rules;
    assert.deepEqual(
      rules.map((r) => r.id),
      ['default_complaint_rate', 'default_conversion_rate', 'default_send_success_rate'],
    );
    const again = await api(admin, '/alert-rules/default_click_rate', { method: 'DELETE' });
    assert.deepEqual([again.status, again.body.code], [404, 'NOT_FOUND']);
    assert.equal(
      (await api(admin, '/alert-rules/default_click_rate', { method: 'PUT', body: JSON.stringify(body) })).status,
      404,
      'a deleted default cannot be edited back',
    );
    assert.equal((await api(admin, '/alert-rules/default_nothing', { method: 'PUT', body: JSON.stringify(body) })).status, 404);
    const noHook = await api(admin, '/alert-rules/default_conversion_rate/webhook-secret', { method: 'POST' });
    assert.deepEqual([noHook.status, noHook.body.field], [400, 'webhook_url']);
    // Nothing of that reaches another workspace.
    assert.deepEqual(
      ((await api(await t.keyFor('admin', 'ars_other'), '/alert-rules')).body.rules as { id: string }[]).map((r) => r.id),
      BUILT_IN_IDS,
    );
  });

  it('GET /v1/alerts filters by status and pages in SQL: every page joined equals an independent filter and sort of all alerts', async () => {
    const ws = 'ars_page';
    const analyst = await t.keyFor('analyst', ws);
    const store = alertsStore(t.wh);
    const written: { id: string; bucket: string; status: AlertSpec['status'] }[] = [];
    for (let i = 0; i < 23; i++) {
      // Buckets repeat (ties are ordered by id), some alerts are acknowledged (a second version), two are deleted.
      const bucket = new Date(Date.parse('2026-01-01T00:00:00Z') + (i % 9) * 3600_000).toISOString();
      const spec: AlertSpec = {
        rule_id: 'r',
        metric: 'delivery_rate',
        kind: 'threshold',
        bucket,
        observed: 0.5,
        expected_low: 0.9,
        expected_high: null,
        volume: 100 + i,
        status: 'open',
        fired_at: bucket,
      };
      const saved = await store.save(ws, { name: `alert ${i}`, spec, changedBy: 'test' });
      if (i % 3 === 0) await store.save(ws, { id: saved.id, name: saved.name, spec: { ...spec, status: 'acked', acked_at: bucket }, changedBy: 'test' });
      if (i === 4 || i === 11) await store.remove(ws, saved.id, 'test');
      else written.push({ id: saved.id, bucket, status: i % 3 === 0 ? 'acked' : 'open' });
    }
    // Another workspace's alert never shows.
    await alertsStore(t.wh).save('ars_page_other', { name: 'x', spec: { ...(await store.list(ws, 1))[0]!.spec }, changedBy: 'test' });
    const expectedOrder = (status?: string) =>
      written
        .filter((a) => !status || a.status === status)
        .sort((a, b) => (a.bucket === b.bucket ? (a.id < b.id ? -1 : 1) : a.bucket < b.bucket ? 1 : -1))
        .map((a) => a.id);

    for (const status of [undefined, 'open', 'acked']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query = new URLSearchParams({ limit: '4', ...(status && { status }), ...(cursor && { cursor }) });
        const page = await api(analyst, `/alerts?${query}`);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.ok(page.body.alerts.length <= 4);
        for (const a of page.body.alerts) {
          if (status) assert.equal(a.spec.status, status);
          assert.equal(typeof a.spec.volume, 'number');
        }
        seen.push(...page.body.alerts.map((a: { id: string }) => a.id));
        cursor = page.body.next_cursor;
        pages++;
      } while (cursor && pages < 20);
      assert.deepEqual(seen, expectedOrder(status), `status ${status ?? 'any'}`);
      assert.equal(pages, Math.max(1, Math.ceil(expectedOrder(status).length / 4)), 'the last page says no more follow');
    }
    const all = await api(analyst, '/alerts');
    assert.deepEqual(
      all.body.alerts.map((a: { id: string }) => a.id),
      expectedOrder(),
      'one default page (100) holds them all',
    );
    assert.equal(all.body.next_cursor, null);
    const acked = all.body.alerts.find((a: { spec: { status: string } }) => a.spec.status === 'acked');
    assert.ok(acked.spec.acked_at && acked.version === 2, 'the newest version is answered, with every field');

    const forged = await api(analyst, '/alerts?cursor=abc');
    assert.deepEqual([forged.status, forged.body.field], [400, 'querystring.cursor']);
    const tooMany = await api(analyst, `/alerts?limit=${t.config.server.maxPageSize + 1}`);
    assert.deepEqual([tooMany.status, tooMany.body.field], [400, 'querystring.limit']);
    const badStatus = await api(analyst, '/alerts?status=closed');
    assert.equal(badStatus.status, 400);
  });
});
