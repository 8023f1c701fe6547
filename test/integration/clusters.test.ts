import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../demo/random.ts';
import { buildApp } from '../../api/app.ts';
import { fitBestK } from '../../segmentation/kmeans-fit.ts';
import { clusterFitsRunning, fitInWorker } from '../../segmentation/kmeans-in-worker.ts';
import { previewRule } from '../../segmentation/segments.ts';
import { bearer, postEvents, startTestApp, type TestApp } from '../helpers/app.ts';

const DAY = 86_400_000;
const WS = 'clu';
const GROUPS = ['spender', 'clicker', 'dormant'] as const;

describe('k-means clusters', () => {
  let t: TestApp;
  const group = new Map<string, (typeof GROUPS)[number]>();

  before(async () => {
    t = await startTestApp('clusters');
    const rnd = seededRandom(11);
    const now = Date.now();
    const contacts: object[] = [];
    const events: object[] = [];
    let n = 0;
    const add = (user: string, type: string, daysAgo: number, extra: object = {}) =>
      events.push({ event_id: `${user}_${n++}`, type, ts: now - daysAgo * DAY - 3600_000, user_id: user, ...extra });
    for (let i = 0; i < 600; i++) {
      const g = GROUPS[i % 3]!;
      const user = `k${i}`;
      group.set(user, g);
      contacts.push({ user_id: user, phone: `13${String(700_000_000 + i)}` });
      const deliveries = g === 'dormant' ? 1 : rnd.int(8, 12);
      for (let d = 0; d < deliveries; d++) add(user, 'delivery', rnd.int(0, 60), { status: 'delivered' });
      if (g === 'spender') {
        for (let c = 0; c < rnd.int(5, 8); c++) add(user, 'conversion', rnd.int(0, 10), { revenue: rnd.int(300, 600) });
        for (let c = 0; c < rnd.int(2, 4); c++) add(user, 'click', rnd.int(0, 30));
      }
      if (g === 'clicker') for (let c = 0; c < rnd.int(5, 8); c++) add(user, 'click', rnd.int(0, 60));
    }
    const admin = await t.keyFor('admin', WS);
    await t.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(admin), payload: contacts });
    await postEvents(t, await t.keyFor('sender', WS), events);
  });
  after(() => t.close());

  const fit = async (body: object) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: bearer(await t.keyFor('marketer', WS)), payload: body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const assignments = async (model: string) =>
    new Map(
      (
        await t.wh.query<{ user_id: string; cluster: number }>(
          'SELECT user_id, cluster FROM cluster_assignments WHERE workspace_id = {ws:String} AND model_id = {m:String}',
          { ws: WS, m: model },
        )
      ).map((r) => [r.user_id, Number(r.cluster)]),
    );

  it('picks k = 3 by silhouette and recovers the planted groups', async () => {
    const model = await fit({ features: ['frequency', 'monetary', 'click_rate', 'recency_days'], k_range: [2, 6], seed: 7 });
    assert.equal(model.k, 3, JSON.stringify(model.silhouette_by_k));
    assert.ok(model.silhouette > 0.5);
    const assigned = await assignments(model.model_id);
    assert.equal(assigned.size, 600, 'every contact is assigned in ClickHouse');
    // Purity: each planted group sits (almost) entirely in one cluster, and the three clusters differ.
    const majority = new Map<string, number>();
    for (const g of GROUPS) {
      const counts = new Map<number, number>();
      for (const [user, c] of assigned) if (group.get(user) === g) counts.set(c, (counts.get(c) ?? 0) + 1);
      const [cluster, size] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      assert.ok(size >= 190, `${g}: ${size} of 200 in cluster ${cluster}`);
      majority.set(g, cluster);
    }
    assert.equal(new Set(majority.values()).size, 3);
    const spender = model.profiles.find((p: { cluster: number }) => p.cluster === majority.get('spender'));
    assert.match(spender.description, /high monetary/);
    assert.deepEqual(
      model.sizes.reduce((a: number, b: number) => a + b, 0),
      600,
    );
  });

  it('is reproducible with a seed, and cluster rules select the assigned contacts', async () => {
    const a = await fit({ features: ['frequency', 'monetary', 'click_rate'], k: 3, seed: 3 });
    const b = await fit({ features: ['frequency', 'monetary', 'click_rate'], k: 3, seed: 3 });
    assert.deepEqual(a.centroids, b.centroids);
    assert.deepEqual([...(await assignments(a.model_id))].sort(), [...(await assignments(b.model_id))].sort());
    const assigned = await assignments(a.model_id);
    const picked = (await previewRule(t.wh, WS, { cluster: { model: a.model_id, in: [0, 2] } }, { nowMs: Date.now(), timezone: 'UTC', sample: 1000 })).sample
      .map((r) => r.user_id)
      .sort();
    assert.deepEqual(
      picked,
      [...assigned]
        .filter(([, c]) => c === 0 || c === 2)
        .map(([u]) => u)
        .sort(),
    );
    const tooFew = await t.app.inject({
      method: 'POST',
      url: '/v1/clusters',
      headers: bearer(await t.keyFor('marketer', 'clu_empty')),
      payload: { features: ['frequency'], k: 3 },
    });
    assert.equal(tooFew.statusCode, 400);
  });

  it('assigns contacts in the model’s feature order, whatever order the request names them in', async () => {
    // k-means is blind to the order of dimensions: the same seed gives the same partition, centroids permuted.
    const canonical = await fit({ features: ['recency_days', 'frequency', 'click_rate'], k: 3, seed: 5 });
    const reordered = await fit({ features: ['click_rate', 'recency_days', 'frequency'], k: 3, seed: 5 });
    // Equal up to float rounding: the features' means and deviations are sums over threads, in no fixed order.
    const expected = canonical.centroids.map(([r, f, c]: number[]) => [c, r, f]);
    assert.equal(reordered.centroids.length, expected.length);
    reordered.centroids.forEach((centroid: number[], i: number) =>
      centroid.forEach((x, j) => assert.ok(Math.abs(x - expected[i][j]) <= 1e-9 * Math.max(1, Math.abs(x)), `centroid ${i}[${j}]: ${x} vs ${expected[i][j]}`)),
    );
    assert.deepEqual([...(await assignments(reordered.model_id))].sort(), [...(await assignments(canonical.model_id))].sort());
    assert.deepEqual(reordered.sizes, canonical.sizes);
    assert.ok(
      canonical.sizes.every((n: number) => n > 0),
      JSON.stringify(canonical.sizes),
    );
  });

  it('fits in a worker thread: the answer equals an in-process fit, and other requests are served meanwhile', async () => {
    // Synthetic points large enough that the fit takes seconds (three blobs plus noise).
    const rnd = seededRandom(5);
    const points = Array.from({ length: 12_000 }, (_, i) => [i % 3, (i % 3) * 2, rnd.next(), rnd.next()].map((x) => x + rnd.next()));
    const input = { points, ks: [2, 3, 4, 5, 6], seed: 9 };
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const order: string[] = [];
    const fitting = fitInWorker(input, 600_000).then((r) => (order.push('fit'), r));
    assert.equal(clusterFitsRunning(), 1);
    // Served while the fit runs: a public route and an authenticated one over the real listener.
    const health = await fetch(`${address}/healthz`);
    order.push('healthz');
    const keys = await fetch(`${address}/v1/clusters/nope`, { headers: bearer(await t.keyFor('marketer', WS)) });
    order.push('authenticated GET');
    assert.deepEqual([health.status, keys.status], [200, 404]);
    const inWorker = await fitting;
    assert.deepEqual(order, ['healthz', 'authenticated GET', 'fit']);
    assert.equal(clusterFitsRunning(), 0);
    assert.deepEqual(inWorker, fitBestK(input), 'the same points and seed give the same fit as on the main thread');

    // Through the API too: the fit request is in its worker when /healthz is asked, and answers after it.
    const marketer = { ...bearer(await t.keyFor('marketer', WS)), 'content-type': 'application/json' };
    const steps: string[] = [];
    const fitRequest = fetch(`${address}/v1/clusters`, {
      method: 'POST',
      headers: marketer,
      body: JSON.stringify({ features: ['frequency', 'monetary', 'click_rate', 'recency_days'], k_range: [2, 11], seed: 7 }),
    }).then(async (res) => (steps.push('fit'), { status: res.status, body: (await res.json()) as { k: number } }));
    while (clusterFitsRunning() === 0) await new Promise((r) => setTimeout(r, 1));
    assert.equal((await fetch(`${address}/healthz`)).status, 200);
    steps.push('healthz');
    const fitted = await fitRequest;
    assert.equal(fitted.status, 200, JSON.stringify(fitted.body));
    assert.equal(fitted.body.k, 3);
    assert.deepEqual(steps, ['healthz', 'fit']);
  });

  it('stops a fit past CLUSTER_TIME_LIMIT_SECONDS with CLUSTER_TIMEOUT, and bounds the request', async () => {
    // The same data with a tiny limit (config is passed down, so a second app can carry another one).
    const config = { ...t.config, server: { ...t.config.server, clusterTimeLimitSeconds: 0.001 } };
    const strict = await buildApp({ config, warehouse: t.wh, logger: false });
    try {
      const post = async (lang: string) =>
        strict.inject({
          method: 'POST',
          url: '/v1/clusters',
          headers: { ...bearer(await t.keyFor('marketer', WS)), 'accept-language': lang },
          payload: { features: ['frequency', 'monetary'], k_range: [2, 11] },
        });
      const en = await post('en');
      assert.equal(en.statusCode, 422);
      assert.deepEqual(en.json(), {
        statusCode: 422,
        code: 'CLUSTER_TIMEOUT',
        message: 'clustering ran longer than its 0.001 s limit; use a smaller sample, fewer features or a narrower k_range',
      });
      const zh = await post('zh-CN');
      assert.deepEqual([zh.statusCode, zh.json().code], [422, 'CLUSTER_TIMEOUT']);
      assert.match(zh.json().message, /聚类计算超过 0.001 秒的时间限制/);
      assert.equal(clusterFitsRunning(), 0, 'no fit is left running');
    } finally {
      await strict.close();
    }
    // The app with the normal limit still fits (a terminated worker is replaced).
    assert.equal((await fit({ features: ['frequency', 'monetary'], k: 2, seed: 1 })).k, 2);

    const refused = async (payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/clusters', headers: bearer(await t.keyFor('marketer', WS)), payload });
      assert.equal(res.statusCode, 400, res.body);
      return res.json();
    };
    assert.deepEqual(await refused({ features: ['frequency'], k_range: [2, 12] }), {
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'body.k_range: at most 10 values of k per request',
      field: 'body.k_range',
    });
    assert.equal((await refused({ features: ['frequency'], k: 3, sample: 50_001 })).field, 'body.sample');
    assert.equal((await refused({ features: ['frequency'], k: 21 })).field, 'body.k');
  });
});
