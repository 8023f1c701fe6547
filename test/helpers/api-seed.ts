/**
 * Seeds a workspace through the API itself (the same calls a user makes): contacts with tags, a few days
 * of events, a segment and its audience, a running experiment allocated over it, an alert rule that fires
 * and its alert, an RFM run and a cluster model. Works over `inject` or a real listener (a Caller).
 */
import assert from 'node:assert/strict';

export interface CallAnswer {
  status: number;
  text: string;
  json: any;
  headers: Record<string, string>;
}

export type Caller = (method: string, url: string, key: string | undefined, body?: unknown, headers?: Record<string, string>) => Promise<CallAnswer>;

/** A Caller over `app.inject()`. */
export function injectCaller(app: { inject: (opts: any) => Promise<any> }): Caller {
  return async (method, url, key, body, headers = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: requestHeaders(key, body, headers),
      ...(body !== undefined && { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return answerOf(res.statusCode, res.body, res.headers as Record<string, string>);
  };
}

/** A Caller over a real listener at `base` (fetch). */
export function fetchCaller(base: string): Caller {
  return async (method, url, key, body, headers = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      redirect: 'manual',
      headers: requestHeaders(key, body, headers),
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return answerOf(res.status, await res.text(), Object.fromEntries(res.headers));
  };
}

function requestHeaders(key: string | undefined, body: unknown, headers: Record<string, string>): Record<string, string> {
  return {
    'accept-language': 'en',
    ...(key && { authorization: `Bearer ${key}` }),
    ...(body !== undefined && typeof body !== 'string' && { 'content-type': 'application/json' }),
    ...headers,
  };
}

function answerOf(status: number, text: string, headers: Record<string, string>): CallAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, text, json, headers };
}

export interface SeededWorkspace {
  segmentId: string;
  audienceId: string;
  experimentId: string;
  alertRuleId: string;
  alertId: string;
  clusterModelId: string;
  eventId: string;
  userId: string;
  /** A time range that holds every seeded event. */
  range: { from: string; to: string };
}

const HOUR = 3600_000;

/**
 * Seeds one workspace. `label` goes into every name and text value (a marker for leak checks);
 * `keys` are keys of that workspace by role.
 */
export async function seedWorkspace(
  call: Caller,
  keys: { admin: string; sender: string; marketer: string; analyst: string },
  label: string,
): Promise<SeededWorkspace> {
  const ok = async (expected: number, method: string, url: string, key: string, body?: unknown) => {
    const res = await call(method, url, key, body);
    assert.equal(res.status, expected, `${method} ${url}: ${res.text.slice(0, 500)}`);
    return res;
  };
  const users = Array.from({ length: 10 }, (_, i) => ({ user_id: `${label}_user_${i}`, phone: `+86138${String(10_000_000 + i).slice(-8)}` }));
  await ok(
    200,
    'POST',
    '/v1/contacts',
    keys.marketer,
    users.map((u, i) => ({
      ...u,
      name: `${label} name ${i}`,
      city: `${label}_city`,
      vip_level: i % 3,
      signup_at: '2024-01-01T00:00:00Z',
      attributes: { note: `${label}_note` },
    })),
  );
  await ok(200, 'POST', '/v1/tags', keys.marketer, { assignments: users.map((u) => ({ user_id: u.user_id, tag: 'vip', value: `${label}_tag` })) });

  // Whole days in the past: complete alert buckets, inside every default window.
  const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 2 * 24 * HOUR;
  const at = (h: number) => new Date(day + h * HOUR).toISOString();
  const events: object[] = [];
  users.forEach((u, i) => {
    const common = { user_id: u.user_id, phone: u.phone, campaign_id: `${label}_campaign`, message_id: `${label}_m${i}`, carrier: 'China Mobile' };
    events.push({ ...common, event_id: `${label}_send_${i}`, type: 'send', ts: at(1) });
    events.push({ ...common, event_id: `${label}_delivery_${i}`, type: 'delivery', status: 'delivered', ts: at(1.1) });
    if (i < 4) events.push({ ...common, event_id: `${label}_click_${i}`, type: 'click', ts: at(2) });
    if (i < 2)
      events.push({
        ...common,
        event_id: `${label}_conversion_${i}`,
        type: 'conversion',
        revenue: 10 + i,
        ts: at(3),
        properties: { category: `${label}_cat` },
      });
  });
  const posted = await ok(202, 'POST', '/v1/events', keys.sender, events);
  assert.equal(posted.json.accepted, events.length);

  const segment = await ok(201, 'POST', '/v1/segments', keys.marketer, { name: `${label} segment`, rule: { tag: 'vip' } });
  const audience = await ok(200, 'POST', `/v1/segments/${segment.json.id}/materialize`, keys.marketer, {});
  const experiment = await ok(201, 'POST', '/v1/experiments', keys.marketer, {
    name: `${label} experiment`,
    variants: [
      { key: 'control', weight: 1 },
      { key: 'treatment', weight: 1 },
    ],
  });
  await ok(200, 'POST', `/v1/experiments/${experiment.json.id}/start`, keys.marketer);
  await ok(200, 'POST', `/v1/experiments/${experiment.json.id}/allocate`, keys.marketer, { audience_id: audience.json.audience_id });

  // Clicks are 40 % of deliveries: a rule "below 99 %" over that day fires once.
  const rule = await ok(201, 'POST', '/v1/alert-rules', keys.analyst, {
    name: `${label} alert rule`,
    metric: 'click_rate',
    kind: 'threshold',
    interval: 'day',
    threshold: { below: 0.99 },
    min_volume: 1,
  });
  const range = { from: new Date(day - 24 * HOUR).toISOString(), to: new Date(day + 48 * HOUR).toISOString() };
  await ok(200, 'POST', '/v1/alerts/evaluate?tz=UTC', keys.analyst, range);
  const alerts = await ok(200, 'GET', '/v1/alerts', keys.analyst);
  const alert = alerts.json.alerts.find((a: { spec: { rule_id: string } }) => a.spec.rule_id === rule.json.id);
  assert.ok(alert, `the seeded alert rule fired: ${alerts.text.slice(0, 500)}`);

  await ok(200, 'POST', '/v1/rfm/compute', keys.marketer, { window_days: 30 });
  const model = await ok(200, 'POST', '/v1/clusters', keys.marketer, { features: ['frequency', 'vip_level'], k: 2, sample: 100 });
  return {
    segmentId: segment.json.id,
    audienceId: audience.json.audience_id,
    experimentId: experiment.json.id,
    alertRuleId: rule.json.id,
    alertId: alert.id,
    clusterModelId: model.json.model_id,
    eventId: `${label}_click_0`,
    userId: users[0]!.user_id,
    range,
  };
}
