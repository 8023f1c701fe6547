/**
 * Every route of `app.routeTable` answers one well-formed request through a REAL listener
 * (`app.listen({port: 0})` and fetch), with a role it admits: the documented success status and a body
 * checked against the data seeded through the API itself. The examples are a table keyed by
 * "METHOD url": a route without an example FAILS the test, so a new route cannot go untested over HTTP.
 * A HEAD twin (fastify adds one per GET) runs its GET's example and must answer the same status, no body.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Role } from '../../access/roles.ts';
import { fetchCaller, seedWorkspace, type CallAnswer, type Caller, type SeededWorkspace } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';

interface Example {
  /** Omitted: a public route, called without a key. */
  role?: Role;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  check?: (res: CallAnswer) => void;
}

interface Setup {
  call: Caller;
  key: (role: Role) => string;
  s: SeededWorkspace;
}

const WORKSPACE = 'http_ws';

/** Makes what a destructive example needs, through the API. */
async function created(setup: Setup, role: Role, path: string, body: unknown): Promise<any> {
  const res = await setup.call('POST', path, setup.key(role), body);
  assert.ok(res.status === 200 || res.status === 201, `${path}: ${res.text}`);
  return res.json;
}

/** A registered template with one accepted send and one receipt failed with MK:0019 an hour ago; returns its id and a range holding them. */
async function templateWithFailure(setup: Setup, name: string): Promise<{ id: string; range: string }> {
  const template = await created(setup, 'marketer', '/v1/templates', { name, text: '【商城】您的订单已发货', kind: 'service' });
  const ts = Date.now() - 3_600_000;
  const common = { user_id: 'http_user_1', template_id: template.id, carrier: 'China Mobile' };
  const events = [
    { ...common, event_id: `${template.id}_s`, type: 'send', ts },
    { ...common, event_id: `${template.id}_d`, type: 'delivery', ts: ts + 1000, status: 'failed', error_code: 'MK:0019' },
  ];
  const res = await setup.call('POST', '/v1/events', setup.key('sender'), events);
  assert.equal(res.status, 202, res.text);
  return { id: template.id, range: `from=${new Date(ts - 60_000).toISOString()}&to=${new Date(ts + 60_000).toISOString()}` };
}

const json = (res: CallAnswer) => {
  assert.ok(res.json !== undefined, `not JSON: ${res.text.slice(0, 200)}`);
  return res.json;
};

const EXAMPLES: Record<string, (setup: Setup) => Example | Promise<Example>> = {
  // Public pages and probes.
  'GET /docs': () => ({ path: '/docs', status: 200, check: (r) => assert.match(r.text, /swagger/i) }),
  'GET /docs/': () => ({ path: '/docs/', status: 200, check: (r) => assert.match(r.text, /swagger/i) }),
  'GET /docs/static/index.html': () => ({ path: '/docs/static/index.html', status: 302, check: (r) => assert.ok(r.headers.location, 'redirects to the UI') }),
  'GET /docs/static/swagger-initializer.js': () => ({
    path: '/docs/static/swagger-initializer.js',
    status: 200,
    check: (r) => assert.match(r.text, /SwaggerUIBundle/),
  }),
  'GET /docs/json': () => ({ path: '/docs/json', status: 200, check: (r) => assert.ok(json(r).paths['/v1/events'], 'the OpenAPI document lists /v1/events') }),
  'GET /docs/yaml': () => ({ path: '/docs/yaml', status: 200, check: (r) => assert.match(r.text, /^openapi: /m) }),
  'GET /docs/static/*': () => ({ path: '/docs/static/swagger-ui.css', status: 200, check: (r) => assert.match(r.headers['content-type'] ?? '', /css/) }),
  'GET /healthz': () => ({ path: '/healthz', status: 200, check: (r) => assert.deepEqual(json(r), { status: 'ok' }) }),
  'GET /readyz': () => ({ path: '/readyz', status: 200, check: (r) => assert.equal(json(r).status, 'ready') }),
  'GET /metrics': () => ({ path: '/metrics', status: 200, check: (r) => assert.match(r.text, /^# HELP smsp_events_accepted_total/m) }),
  // The web app: its page, its modules (one route, files listed at start-up), and the old dashboard's address.
  'GET /': () => ({ path: '/', status: 200, check: (r) => assert.match(r.text, /<script type="module" src="\/app\/main.js">/) }),
  'GET /app/*': () => ({ path: '/app/main.js', status: 200, check: (r) => assert.match(r.headers['content-type'] ?? '', /javascript/) }),
  'GET /dashboard': () => ({ path: '/dashboard', status: 302, check: (r) => assert.equal(r.headers.location, '/#/dashboard') }),

  // Events.
  'POST /v1/events': () => ({
    role: 'sender',
    path: '/v1/events',
    status: 202,
    body: [{ event_id: 'http_click_extra', type: 'click', ts: new Date(Date.now() - 3_600_000).toISOString(), user_id: 'http_user_0' }],
    check: (r) => assert.deepEqual(json(r), { accepted: 1, rejected: [] }),
  }),
  'GET /v1/events/summary': ({ s }) => ({
    role: 'analyst',
    path: `/v1/events/summary?${new URLSearchParams({ ...s.range, tz: 'UTC' })}`,
    status: 200,
    check: (r) => {
      const body = json(r);
      assert.deepEqual([body.events.send, body.events.delivery, body.events.click, body.events.conversion, body.revenue], [10, 10, 4, 2, 21]);
    },
  }),
  'GET /v1/events/:event_id': ({ s }) => ({
    role: 'analyst',
    path: `/v1/events/${s.eventId}`,
    status: 200,
    check: (r) => assert.deepEqual([json(r).event_id, json(r).type], [s.eventId, 'click']),
  }),

  // Contacts and tags.
  'POST /v1/contacts': () => ({
    role: 'marketer',
    path: '/v1/contacts',
    status: 200,
    body: [{ user_id: 'http_new_contact', city: 'Hangzhou' }],
    check: (r) => assert.equal(json(r).created, 1),
  }),
  'GET /v1/contacts': () => ({
    role: 'analyst',
    path: '/v1/contacts?limit=2',
    status: 200,
    check: (r) => {
      assert.equal(json(r).contacts.length, 2);
      assert.equal(typeof json(r).next_cursor, 'string');
      for (const c of json(r).contacts) assert.doesNotMatch(String(c.phone), /\d{7}/, 'masked for analysts');
    },
  }),
  'GET /v1/contacts/:user_id': ({ s }) => ({
    role: 'marketer',
    path: `/v1/contacts/${s.userId}`,
    status: 200,
    check: (r) => {
      assert.equal(json(r).user_id, s.userId);
      assert.ok(json(r).tags.some((t: { tag: string }) => t.tag === 'vip'));
    },
  }),
  'GET /v1/contacts/by-phone/:phone': async (setup) => {
    await created(setup, 'admin', '/v1/contacts', [{ user_id: 'by_phone_http', phone: '13900000088' }]);
    return {
      role: 'sender',
      path: '/v1/contacts/by-phone/+8613900000088',
      status: 200,
      check: (r) => assert.deepEqual([json(r).user_id, json(r).phone], ['by_phone_http', '+8613900000088']),
    };
  },
  'GET /v1/contacts/:user_id/activity': ({ s }) => ({
    role: 'analyst',
    path: `/v1/contacts/${s.userId}/activity?days=30&limit=5`,
    status: 200,
    check: (r) => {
      assert.equal(typeof json(r).suppressed, 'boolean');
      assert.ok(Array.isArray(json(r).events) && json(r).events.length <= 5, r.text);
    },
  }),
  'DELETE /v1/contacts/:user_id': async (setup) => {
    await created(setup, 'admin', '/v1/contacts', [{ user_id: 'to_erase_http', phone: '13900000077' }]);
    return {
      role: 'admin',
      path: '/v1/contacts/to_erase_http',
      status: 200,
      check: (r) => assert.deepEqual([json(r).contacts_removed, json(r).phone_hashes.length, /13900000077|to_erase_http/.test(r.text)], [1, 1, false]),
    };
  },
  'GET /v1/erasures': () => ({ role: 'admin', path: '/v1/erasures?limit=5', status: 200, check: (r) => assert.ok(Array.isArray(json(r).erasures), r.text) }),
  'POST /v1/contacts/import': () => ({
    role: 'marketer',
    path: '/v1/contacts/import',
    status: 200,
    body: '13700000001\n13700000002\n',
    headers: { 'content-type': 'text/plain' },
    check: (r) => assert.deepEqual([json(r).rows, json(r).imported], [2, 2]),
  }),
  'POST /v1/tags': ({ s }) => ({
    role: 'marketer',
    path: '/v1/tags',
    status: 200,
    body: { assignments: [{ user_id: s.userId, tag: 'http_tag' }] },
    check: (r) => assert.equal(typeof json(r), 'object'),
  }),

  // Keys and the workspace.
  'POST /v1/keys': () => ({
    role: 'admin',
    path: '/v1/keys',
    status: 201,
    body: { name: 'over http', role: 'analyst' },
    check: (r) => assert.deepEqual([typeof json(r).key, json(r).role], ['string', 'analyst']),
  }),
  // A backup holds every workspace: a workspace's admin key is refused (backup-restore.test.ts makes one with a root key).
  'POST /v1/admin/backups': () => ({
    role: 'admin',
    path: '/v1/admin/backups',
    body: { dir: 'refused' },
    status: 403,
    check: (r) => assert.equal(json(r).code, 'FORBIDDEN'),
  }),
  // The rollups hold every workspace: a workspace's admin key is refused (rollups-rebuild.test.ts rebuilds with a root key).
  'POST /v1/admin/rollups/rebuild': () => ({
    role: 'admin',
    path: '/v1/admin/rollups/rebuild',
    status: 403,
    check: (r) => assert.equal(json(r).code, 'FORBIDDEN'),
  }),
  // Web app sessions (sessions.test.ts follows the cookie through sign-out and revocation).
  'POST /v1/sessions': () => ({
    path: '/v1/sessions',
    body: { key: 'smsp_000000000000_not-a-key' },
    status: 401,
    check: (r) => assert.equal(json(r).code, 'UNAUTHORIZED'),
  }),
  'GET /v1/session': () => ({
    role: 'analyst',
    path: '/v1/session',
    status: 200,
    check: (r) => assert.deepEqual([json(r).role, json(r).via, json(r).expires_at], ['analyst', 'key', null]),
  }),
  'DELETE /v1/session': () => ({ role: 'sender', path: '/v1/session', status: 204 }),
  'GET /v1/keys': () => ({
    role: 'admin',
    path: '/v1/keys',
    status: 200,
    check: (r) => assert.ok(json(r).keys.length >= 4 && json(r).keys.every((k: object) => !('key' in k)), 'keys listed without secrets'),
  }),
  'DELETE /v1/keys/:key_id': async (setup) => {
    const key = await created(setup, 'admin', '/v1/keys', { name: 'to revoke', role: 'sender' });
    return { role: 'admin', path: `/v1/keys/${key.id ?? key.key_id}`, status: 204 };
  },
  'GET /v1/status': () => ({
    role: 'admin',
    path: '/v1/status',
    status: 200,
    check: (r) => assert.deepEqual([json(r).server.running, json(r).server.pid, json(r).workspace], [true, process.pid, WORKSPACE]),
  }),
  'GET /v1/workspace': () => ({ role: 'sender', path: '/v1/workspace', status: 200, check: (r) => assert.equal(json(r).id, WORKSPACE) }),
  'PUT /v1/workspace': () => ({
    role: 'admin',
    path: '/v1/workspace',
    status: 200,
    body: { timezone: 'asia/shanghai', locale: 'en' },
    check: (r) => assert.deepEqual([json(r).timezone, json(r).locale], ['Asia/Shanghai', 'en']),
  }),

  // Experiments.
  'POST /v1/experiments': () => ({
    role: 'marketer',
    path: '/v1/experiments',
    status: 201,
    body: {
      name: 'over http',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    },
    check: (r) => assert.equal(typeof json(r).id, 'string'),
  }),
  'GET /v1/experiments': ({ s }) => ({
    role: 'analyst',
    path: '/v1/experiments?limit=100',
    status: 200,
    check: (r) => assert.ok(json(r).experiments.some((e: { id: string }) => e.id === s.experimentId)),
  }),
  'GET /v1/experiments/:id': ({ s }) => ({
    role: 'analyst',
    path: `/v1/experiments/${s.experimentId}`,
    status: 200,
    check: (r) => assert.equal(json(r).spec.status, 'running'),
  }),
  'POST /v1/experiments/:id/start': async (setup) => {
    const draft = await created(setup, 'marketer', '/v1/experiments', {
      name: 'to start',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    });
    return { role: 'marketer', path: `/v1/experiments/${draft.id}/start`, status: 200, check: (r) => assert.equal(json(r).spec.status, 'running') };
  },
  'POST /v1/experiments/:id/stop': async (setup) => {
    const draft = await created(setup, 'marketer', '/v1/experiments', {
      name: 'to stop',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    });
    await created(setup, 'marketer', `/v1/experiments/${draft.id}/start`, undefined);
    return { role: 'marketer', path: `/v1/experiments/${draft.id}/stop`, status: 200, check: (r) => assert.equal(json(r).spec.status, 'stopped') };
  },
  'GET /v1/experiments/:id/assignment': ({ s }) => ({
    role: 'sender',
    path: `/v1/experiments/${s.experimentId}/assignment?user_id=${s.userId}`,
    status: 200,
    check: (r) => assert.ok(['control', 'treatment', null].includes(json(r).variant), r.text),
  }),
  'GET /v1/experiments/:id/results': ({ s }) => ({
    role: 'analyst',
    path: `/v1/experiments/${s.experimentId}/results?metric=click`,
    status: 200,
    check: (r) => {
      assert.deepEqual(
        json(r).variants.map((v: { key?: string; variant?: string }) => v.key ?? v.variant),
        ['control', 'treatment'],
      );
      assert.equal(typeof json(r).verdict, 'string');
    },
  }),
  'POST /v1/experiments/:id/allocate': ({ s }) => ({
    role: 'marketer',
    path: `/v1/experiments/${s.experimentId}/allocate`,
    status: 200,
    body: { audience_id: s.audienceId },
    check: (r) => assert.equal(json(r).experiment_id, s.experimentId),
  }),
  'POST /v1/experiments/plan': () => ({
    role: 'analyst',
    path: '/v1/experiments/plan',
    status: 200,
    body: { baseline_rate: 0.1, mde_rel: 0.2 },
    // power.prop.test(p1 = 0.1, p2 = 0.12, power = 0.8) gives n = 3840.9 per group.
    check: (r) => assert.equal(json(r).recipients_per_arm, 3841),
  }),

  // Analysts' SQL (sandbox/).
  'POST /v1/sql': ({ s }) => ({
    role: 'analyst',
    path: '/v1/sql',
    status: 200,
    body: { query: `SELECT count(*) AS n FROM events WHERE event_id = '${s.eventId}'` },
    check: (r) => assert.deepEqual([json(r).rows, json(r).truncated, json(r).snapshot.variant], [[[1]], false, 'masked']),
  }),
  'GET /v1/sql/snapshot': () => ({
    role: 'admin',
    path: '/v1/sql/snapshot',
    status: 200,
    check: (r) => assert.equal(json(r).variant, 'full'),
  }),
  'POST /v1/sql/snapshot': () => ({
    role: 'admin',
    path: '/v1/sql/snapshot',
    status: 200,
    check: (r) => assert.ok(json(r).taken_at && json(r).tables.find((t: { name: string }) => t.name === 'events').rows > 0),
  }),
  'POST /v1/sql/queries': () => ({
    role: 'analyst',
    path: '/v1/sql/queries',
    status: 201,
    body: { name: 'events by type', query: 'SELECT type, count(*) AS n FROM events GROUP BY type', chart: { type: 'bar', x: 'type', y: ['n'] } },
    check: (r) => assert.deepEqual([json(r).version, json(r).spec.chart], [1, { type: 'bar', x: 'type', y: ['n'] }]),
  }),
  'GET /v1/sql/queries': async (setup) => {
    const saved = await created(setup, 'analyst', '/v1/sql/queries', { name: 'listed', query: 'SELECT 1' });
    return { role: 'admin', path: '/v1/sql/queries', status: 200, check: (r) => assert.ok(json(r).queries.some((q: { id: string }) => q.id === saved.id)) };
  },
  'GET /v1/sql/queries/:id': async (setup) => {
    const saved = await created(setup, 'analyst', '/v1/sql/queries', { name: 'read', query: 'SELECT 2' });
    return {
      role: 'analyst',
      path: `/v1/sql/queries/${saved.id}`,
      status: 200,
      check: (r) => assert.deepEqual(json(r).spec.chart, { type: 'table', x: null, y: [] }),
    };
  },
  'GET /v1/sql/queries/:id/versions': async (setup) => {
    const saved = await created(setup, 'analyst', '/v1/sql/queries', { name: 'history', query: 'SELECT 3' });
    return { role: 'analyst', path: `/v1/sql/queries/${saved.id}/versions`, status: 200, check: (r) => assert.equal(json(r).versions.length, 1) };
  },
  'PUT /v1/sql/queries/:id': async (setup) => {
    const saved = await created(setup, 'analyst', '/v1/sql/queries', { name: 'to change', query: 'SELECT 4' });
    return {
      role: 'admin',
      path: `/v1/sql/queries/${saved.id}`,
      status: 200,
      headers: { 'if-match': '"1"' },
      body: { name: 'changed', query: 'SELECT 5 AS five', chart: { type: 'table' }, pinned: true },
      check: (r) => assert.deepEqual([json(r).version, json(r).spec.query, json(r).spec.pinned], [2, 'SELECT 5 AS five', true]),
    };
  },
  'DELETE /v1/sql/queries/:id': async (setup) => {
    const saved = await created(setup, 'analyst', '/v1/sql/queries', { name: 'to delete', query: 'SELECT 6' });
    return { role: 'analyst', path: `/v1/sql/queries/${saved.id}`, status: 204 };
  },

  // Templates.
  'POST /v1/templates': () => ({
    role: 'marketer',
    path: '/v1/templates',
    status: 201,
    body: { name: 'over http', text: '{name}您好，春季新品9折，回T退订', signature: '商城', kind: 'promotion' },
    check: (r) => assert.deepEqual([json(r).version, json(r).check.message, json(r).check.parts.parts], [1, '【商城】{name}您好，春季新品9折，回T退订', 1]),
  }),
  'PUT /v1/templates/:id': async (setup) => {
    const template = await created(setup, 'marketer', '/v1/templates', { name: 'to change', text: '【商城】您的订单已发货', kind: 'service' });
    return {
      role: 'marketer',
      path: `/v1/templates/${template.id}`,
      status: 200,
      body: { name: 'changed', text: '您的订单已发货', kind: 'service' },
      check: (r) => assert.deepEqual([json(r).version, json(r).check.findings[0].code], [2, 'SIGNATURE_MISSING']),
    };
  },
  'GET /v1/templates': async (setup) => {
    const template = await created(setup, 'marketer', '/v1/templates', { name: 'listed', text: '【商城】您的订单已发货', kind: 'service' });
    return {
      role: 'analyst',
      path: '/v1/templates',
      status: 200,
      check: (r) => assert.ok(json(r).templates.some((x: { id: string }) => x.id === template.id)),
    };
  },
  'GET /v1/templates/:id': async (setup) => {
    const template = await created(setup, 'marketer', '/v1/templates', { name: 'read', text: '【商城】全网最低价', kind: 'service' });
    return {
      role: 'analyst',
      path: `/v1/templates/${template.id}`,
      status: 200,
      check: (r) => assert.deepEqual([json(r).name, json(r).check.findings[0].code, json(r).check.findings[0].position], ['read', 'EXAGGERATED_CLAIM', 6]),
    };
  },
  'GET /v1/templates/settings': () => ({
    role: 'analyst',
    path: '/v1/templates/settings',
    status: 200,
    check: (r) => assert.deepEqual([json(r).banned_words, json(r).defaults.banned_words.exaggeration.includes('最')], [null, true]),
  }),
  'PUT /v1/templates/settings': () => ({
    role: 'marketer',
    path: '/v1/templates/settings',
    status: 200,
    // Set back to the defaults, so the other examples check with them whatever the order.
    body: { banned_words: null, unsubscribe_forms: null },
    check: (r) => assert.deepEqual([json(r).banned_words, json(r).unsubscribe_forms], [null, null]),
  }),
  // Prices and campaign ROI.
  'GET /v1/prices': () => ({ role: 'marketer', path: '/v1/prices', status: 200, check: (r) => assert.equal(json(r).currency, 'CNY') }),
  'PUT /v1/prices': () => ({
    role: 'admin',
    path: '/v1/prices',
    status: 200,
    body: { default_per_part: 0.05, rules: [{ channel: '106', carrier: 'China Mobile', per_part: 0.04 }], effective_from: '2000-01-01T00:00:00Z' },
    check: (r) => assert.deepEqual([json(r).version, json(r).effective_from, json(r).rules[0].per_part], [1, '2000-01-01T00:00:00.000Z', 0.04]),
  }),
  'GET /v1/campaigns/roi': ({ s }) => ({
    role: 'analyst',
    path: `/v1/campaigns/roi?${new URLSearchParams(s.range)}`,
    status: 200,
    // 10 one-part sends, each delivered; the 2 conversions (10 + 11) follow those deliveries within 7 days.
    check: (r) => {
      const [group] = json(r).groups;
      assert.deepEqual([json(r).groups.length, group.key, group.messages, group.parts, group.conversions, group.revenue], [1, 'http_campaign', 10, 10, 2, 21]);
    },
  }),
  'POST /v1/templates/check': ({ s }) => ({
    role: 'analyst',
    path: '/v1/templates/check',
    status: 200,
    // The seeded members' longest name is "http name 0" (11) and their note "http_note" (9): 4 + 11 + 3 + 9.
    body: { text: '【商城】{name}您好，{note}', kind: 'service', audience_id: s.audienceId },
    check: (r) => {
      assert.deepEqual(json(r).parts, { encoding: 'UCS-2', units: 27, parts: 1, per_part_limit: 70 });
      assert.deepEqual(
        json(r).findings.map((f: { code: string }) => f.code),
        ['BILLED_PARTS'],
      );
    },
  }),

  'GET /v1/templates/:id/delivery': async (setup) => {
    const { id, range } = await templateWithFailure(setup, 'delivery of one');
    return {
      role: 'analyst',
      path: `/v1/templates/${id}/delivery?${range}`,
      status: 200,
      check: (r) =>
        assert.deepEqual(
          [json(r).name, json(r).sends, json(r).failed, json(r).delivery_rate, json(r).error_codes],
          ['delivery of one', 1, 1, 0, [{ code: 'MK:0019', count: 1, share: 1 }]],
        ),
    };
  },
  'GET /v1/delivery/by-template': async (setup) => {
    const { id, range } = await templateWithFailure(setup, 'delivery by template');
    return {
      role: 'marketer',
      path: `/v1/delivery/by-template?${range}&carrier=China%20Mobile`,
      status: 200,
      check: (r) => {
        const row = json(r).templates.find((x: { template_id: string }) => x.template_id === id);
        assert.deepEqual(
          [row.name, row.in_registry, row.carriers.map((c: { carrier: string }) => c.carrier)],
          ['delivery by template', true, ['China Mobile']],
        );
      },
    };
  },

  // Segments and audiences.
  'POST /v1/segments': () => ({
    role: 'marketer',
    path: '/v1/segments',
    status: 201,
    body: { name: 'over http', rule: { attr: 'city', op: 'eq', value: 'Hangzhou' } },
    check: (r) => assert.equal(json(r).version, 1),
  }),
  'PUT /v1/segments/:id': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'to change', rule: { tag: 'vip' } });
    return {
      role: 'marketer',
      path: `/v1/segments/${seg.id}`,
      status: 200,
      body: { name: 'changed', rule: { tag: 'http_tag' } },
      check: (r) => assert.deepEqual(json(r), { id: seg.id, version: 2 }),
    };
  },
  'GET /v1/segments': ({ s }) => ({
    role: 'analyst',
    path: '/v1/segments',
    status: 200,
    check: (r) => assert.ok(json(r).segments.some((x: { id: string }) => x.id === s.segmentId)),
  }),
  'GET /v1/segments/:id': ({ s }) => ({
    role: 'analyst',
    path: `/v1/segments/${s.segmentId}`,
    status: 200,
    check: (r) => assert.equal(json(r).name, 'http segment'),
  }),
  'GET /v1/segments/:id/versions': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'first name', rule: { tag: 'vip' } });
    const changed = await setup.call('PUT', `/v1/segments/${seg.id}`, setup.key('marketer'), { name: 'second name', rule: { tag: 'http_tag' } });
    assert.equal(changed.status, 200, changed.text);
    return {
      role: 'analyst',
      path: `/v1/segments/${seg.id}/versions`,
      status: 200,
      check: (r) =>
        assert.deepEqual(
          json(r).versions.map((v: { version: number; name: string; spec: { rule: unknown } }) => [v.version, v.name, v.spec.rule]),
          [
            [2, 'second name', { tag: 'http_tag' }],
            [1, 'first name', { tag: 'vip' }],
          ],
        ),
    };
  },
  // Realtime segments (the worker does not run here: the flag, its seed and an empty stream).
  'PUT /v1/segments/:id/realtime': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'realtime vip', rule: { all: [{ tag: 'vip' }, { event: 'click', within_days: 7 }] } });
    return {
      role: 'marketer',
      path: `/v1/segments/${seg.id}/realtime`,
      status: 200,
      body: { enabled: true },
      check: (r) => assert.deepEqual([json(r).enabled, json(r).qualifies, typeof json(r).watermark], [true, true, 'string']),
    };
  },
  'GET /v1/segments/:id/realtime': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'not realtime', rule: { any: [{ tag: 'vip' }, { rfm: { segment: 'champions' } }] } });
    return {
      role: 'analyst',
      path: `/v1/segments/${seg.id}/realtime`,
      status: 200,
      check: (r) => assert.deepEqual([json(r).enabled, json(r).qualifies, json(r).field], [false, false, 'rule.any[1].rfm']),
    };
  },
  'GET /v1/segments/:id/changes': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'realtime stream', rule: { tag: 'vip' } });
    return {
      role: 'sender',
      path: `/v1/segments/${seg.id}/changes?since=0&limit=10`,
      status: 200,
      check: (r) => assert.deepEqual(json(r), { changes: [], next: 0 }),
    };
  },
  // Computed tags (seedWorkspace tags ten contacts vip). A GET's HEAD twin runs its example again: new tag names.
  'POST /v1/computed-tags': () => ({
    role: 'marketer',
    path: '/v1/computed-tags',
    status: 201,
    body: { tag: 'http_computed', rule: { tag: 'vip' }, schedule: '0 8 * * *' },
    check: (r) => assert.deepEqual([json(r).version, json(r).spec.tag, json(r).spec.schedule], [1, 'http_computed', '0 8 * * *']),
  }),
  'GET /v1/computed-tags': async (setup) => {
    const def = await created(setup, 'marketer', '/v1/computed-tags', { tag: `http_listed_${crypto.randomUUID().slice(0, 8)}`, rule: { tag: 'vip' } });
    return {
      role: 'analyst',
      path: '/v1/computed-tags',
      status: 200,
      check: (r) => assert.ok(json(r).computed_tags.some((x: { id: string }) => x.id === def.id)),
    };
  },
  'GET /v1/computed-tags/:id': async (setup) => {
    const def = await created(setup, 'marketer', '/v1/computed-tags', { tag: `http_one_${crypto.randomUUID().slice(0, 8)}`, value: 'v', rule: { tag: 'vip' } });
    return { role: 'analyst', path: `/v1/computed-tags/${def.id}`, status: 200, check: (r) => assert.equal(json(r).spec.value, 'v') };
  },
  'PUT /v1/computed-tags/:id': async (setup) => {
    const def = await created(setup, 'marketer', '/v1/computed-tags', { tag: 'http_to_change', rule: { tag: 'vip' } });
    return {
      role: 'marketer',
      path: `/v1/computed-tags/${def.id}`,
      status: 200,
      body: { tag: 'http_changed', rule: { tag: 'vip' }, enabled: false },
      check: (r) => assert.deepEqual([json(r).version, json(r).spec.tag, json(r).spec.enabled], [2, 'http_changed', false]),
    };
  },
  'DELETE /v1/computed-tags/:id': async (setup) => {
    const def = await created(setup, 'marketer', '/v1/computed-tags', { tag: 'http_to_delete', rule: { tag: 'vip' } });
    return { role: 'admin', path: `/v1/computed-tags/${def.id}`, status: 204 };
  },
  'POST /v1/computed-tags/:id/refresh': async (setup) => {
    const def = await created(setup, 'marketer', '/v1/computed-tags', { tag: 'http_vip_copy', rule: { tag: 'vip' } });
    return {
      role: 'marketer',
      path: `/v1/computed-tags/${def.id}/refresh`,
      status: 200,
      check: (r) => assert.deepEqual([json(r).members, json(r).added, json(r).removed], [10, 10, 0]),
    };
  },
  'GET /v1/rule-choices': () => ({
    role: 'analyst',
    path: '/v1/rule-choices',
    status: 200,
    check: (r) => {
      // seedWorkspace: ten contacts in one city, all tagged vip with one value, two conversions with a category.
      assert.ok(json(r).tags.some((t: { tag: string; contacts: number }) => t.tag === 'vip' && t.contacts === 10));
      assert.ok(json(r).cities.some((c: { value: string; contacts: number }) => c.value.endsWith('_city') && c.contacts === 10));
      assert.ok(json(r).event_properties.some((p: { type: string; key: string }) => p.type === 'conversion' && p.key === 'category'));
    },
  }),
  'POST /v1/segments/preview': () => ({
    role: 'analyst',
    path: '/v1/segments/preview',
    status: 200,
    body: { rule: { tag: 'vip' }, sample: 3 },
    check: (r) => {
      assert.equal(json(r).count, 10);
      assert.equal(json(r).sample.length, 3);
      for (const c of json(r).sample) assert.doesNotMatch(String(c.phone), /\d{7}/);
    },
  }),
  'POST /v1/segments/:id/materialize': ({ s }) => ({
    role: 'marketer',
    path: `/v1/segments/${s.segmentId}/materialize`,
    status: 200,
    body: {},
    check: (r) => assert.deepEqual([json(r).audience_id, json(r).size], [s.audienceId, 10]),
  }),
  // Segment webhooks, each on a segment of its own (hooks.example.com does not resolve here: a ping fails, recorded).
  'POST /v1/segments/:id/webhooks': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'hooked', rule: { tag: 'vip' } });
    return {
      role: 'marketer',
      path: `/v1/segments/${seg.id}/webhooks`,
      status: 201,
      body: { url: 'https://hooks.example.com/smsp', description: 'sender' },
      check: (r) => assert.deepEqual([json(r).segment_id, json(r).url, /^whsec_/.test(json(r).secret)], [seg.id, 'https://hooks.example.com/smsp', true]),
    };
  },
  'GET /v1/segments/:id/webhooks': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'hooked', rule: { tag: 'vip' } });
    const hook = await created(setup, 'admin', `/v1/segments/${seg.id}/webhooks`, { url: 'https://hooks.example.com/smsp' });
    return {
      role: 'admin',
      path: `/v1/segments/${seg.id}/webhooks`,
      status: 200,
      check: (r) => {
        assert.deepEqual(
          json(r).webhooks.map((w: { id: string }) => w.id),
          [hook.id],
        );
        assert.doesNotMatch(r.text, /whsec_/, 'no secret');
      },
    };
  },
  'DELETE /v1/segments/:id/webhooks/:webhookId': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'hooked', rule: { tag: 'vip' } });
    const hook = await created(setup, 'marketer', `/v1/segments/${seg.id}/webhooks`, { url: 'https://hooks.example.com/smsp' });
    return { role: 'marketer', path: `/v1/segments/${seg.id}/webhooks/${hook.id}`, status: 204 };
  },
  'POST /v1/segments/:id/webhooks/:webhookId/test': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'hooked', rule: { tag: 'vip' } });
    const hook = await created(setup, 'marketer', `/v1/segments/${seg.id}/webhooks`, { url: 'https://hooks.example.com/smsp' });
    return {
      role: 'marketer',
      path: `/v1/segments/${seg.id}/webhooks/${hook.id}/test`,
      status: 200,
      check: (r) => assert.deepEqual([json(r).event, json(r).attempts, json(r).delivered], ['ping', 1, false]),
    };
  },
  'GET /v1/segments/:id/webhooks/:webhookId/deliveries': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'hooked', rule: { tag: 'vip' } });
    const hook = await created(setup, 'marketer', `/v1/segments/${seg.id}/webhooks`, { url: 'https://hooks.example.com/smsp' });
    const ping = await created(setup, 'marketer', `/v1/segments/${seg.id}/webhooks/${hook.id}/test`, undefined);
    return {
      role: 'marketer',
      path: `/v1/segments/${seg.id}/webhooks/${hook.id}/deliveries?limit=10`,
      status: 200,
      check: (r) => assert.deepEqual(json(r), { deliveries: [ping], next_cursor: null }),
    };
  },
  'PUT /v1/segments/:id/schedule': ({ s }) => ({
    role: 'marketer',
    path: `/v1/segments/${s.segmentId}/schedule`,
    status: 200,
    body: { cron: '0 8 * * 1-5', keep_versions: 3 },
    check: (r) => assert.deepEqual([json(r).segment_id, json(r).cron, json(r).keep_versions, json(r).enabled], [s.segmentId, '0 8 * * 1-5', 3, true]),
  }),
  'GET /v1/segments/:id/schedule': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'scheduled', rule: { tag: 'vip' } });
    const put = await setup.call('PUT', `/v1/segments/${seg.id}/schedule`, setup.key('marketer'), { cron: '30 9 * * *' });
    assert.equal(put.status, 200, put.text);
    return {
      role: 'analyst',
      path: `/v1/segments/${seg.id}/schedule`,
      status: 200,
      check: (r) => assert.deepEqual([json(r).cron, json(r).keep_versions, typeof json(r).next_run_at], ['30 9 * * *', 7, 'string']),
    };
  },
  'DELETE /v1/segments/:id/schedule': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'unscheduled', rule: { tag: 'vip' } });
    const put = await setup.call('PUT', `/v1/segments/${seg.id}/schedule`, setup.key('marketer'), { cron: '0 7 * * *' });
    assert.equal(put.status, 200, put.text);
    return { role: 'marketer', path: `/v1/segments/${seg.id}/schedule`, status: 204 };
  },
  'GET /v1/segments/:id/schedule/runs': ({ s }) => ({
    role: 'analyst',
    path: `/v1/segments/${s.segmentId}/schedule/runs?limit=10`,
    status: 200,
    // No scheduler runs in this test: the list is empty (test/integration/segment-schedules.test.ts runs them).
    check: (r) => assert.deepEqual(json(r), { runs: [], next_cursor: null }),
  }),
  'GET /v1/audiences': ({ s }) => ({
    role: 'sender',
    path: '/v1/audiences?limit=50',
    status: 200,
    check: (r) =>
      assert.ok(
        json(r).audiences.some((a: { id: string }) => a.id === s.audienceId),
        r.text,
      ),
  }),
  'GET /v1/audiences/:id': ({ s }) => ({
    role: 'sender',
    path: `/v1/audiences/${s.audienceId}`,
    status: 200,
    check: (r) => assert.ok(json(r).versions.length >= 1 && json(r).size === 10, r.text),
  }),
  'DELETE /v1/audiences/:id/versions/:version': async (setup) => {
    const seg = await created(setup, 'marketer', '/v1/segments', { name: 'to delete', rule: { tag: 'vip' } });
    const audience = await created(setup, 'marketer', `/v1/segments/${seg.id}/materialize`, {});
    return { role: 'marketer', path: `/v1/audiences/${audience.audience_id}/versions/${audience.version}`, status: 204 };
  },
  'GET /v1/audiences/:id/export': ({ s }) => ({
    role: 'sender',
    path: `/v1/audiences/${s.audienceId}/export?format=ndjson&fields=user_id,phone&limit=100`,
    status: 200,
    check: (r) => {
      const rows = r.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(rows.length, 10);
      assert.match(rows[0].phone, /^\+86138\d{8}$/, 'senders get whole numbers');
    },
  }),
  'GET /v1/audiences/:id/diff': ({ s }) => ({
    role: 'sender',
    path: `/v1/audiences/${s.audienceId}/diff?from=1&to=1&format=csv&fields=user_id,phone`,
    status: 200,
    check: (r) =>
      assert.deepEqual(
        [r.text, r.headers['x-added-count'], r.headers['x-removed-count']],
        ['"change","user_id","phone"\n', '0', '0'],
        'a snapshot against itself: the header alone',
      ),
  }),
  'GET /v1/audiences/:id/diff/summary': ({ s }) => ({
    role: 'analyst',
    path: `/v1/audiences/${s.audienceId}/diff/summary?from=1&to=1`,
    status: 200,
    check: (r) => assert.deepEqual(json(r), { from: 1, to: 1, added: 0, removed: 0 }),
  }),
  'POST /v1/rfm/compute': () => ({
    role: 'analyst',
    path: '/v1/rfm/compute',
    status: 200,
    body: { window_days: 30 },
    check: (r) => assert.equal(json(r).users, 2),
  }),
  'GET /v1/rfm': () => ({ role: 'analyst', path: '/v1/rfm', status: 200, check: (r) => assert.equal(json(r).users, 2) }),
  // Lifecycle: the seeded users signed up in 2024 and did nothing until the campaign, whose delivery 4 of them clicked.
  'GET /v1/lifecycle/settings': () => ({
    role: 'analyst',
    path: '/v1/lifecycle/settings',
    status: 200,
    check: (r) => assert.deepEqual([json(r).settings.dormant_days, json(r).stages[0]], [30, 'new']),
  }),
  'PUT /v1/lifecycle/settings': () => ({
    role: 'marketer',
    path: '/v1/lifecycle/settings',
    status: 200,
    // The defaults again, so the other examples read them whatever the order.
    body: {},
    check: (r) => assert.deepEqual(json(r).settings, json(r).defaults),
  }),
  'GET /v1/lifecycle': () => ({
    role: 'analyst',
    path: '/v1/lifecycle?weeks=2',
    status: 200,
    check: (r) => assert.deepEqual([json(r).weeks.length, json(r).now.stages.active >= 4, json(r).now.stages.churned >= 6], [2, true, true]),
  }),
  'GET /v1/lifecycle/reactivation': () => ({
    role: 'marketer',
    path: '/v1/lifecycle/reactivation?campaign_id=http_campaign&within_days=7',
    status: 200,
    check: (r) => assert.deepEqual([json(r).targeted, json(r).reactivated, json(r).rate], [10, 4, 0.4]),
  }),
  'POST /v1/clusters': () => ({
    role: 'analyst',
    path: '/v1/clusters',
    status: 200,
    body: { features: ['frequency', 'vip_level'], k: 2, sample: 100 },
    check: (r) => assert.deepEqual([json(r).k, json(r).sizes.reduce((a: number, b: number) => a + b, 0) > 0], [2, true]),
  }),
  'GET /v1/clusters/:id': ({ s }) => ({
    role: 'analyst',
    path: `/v1/clusters/${s.clusterModelId}`,
    status: 200,
    check: (r) => assert.deepEqual([json(r).model_id, json(r).k], [s.clusterModelId, 2]),
  }),

  // Analytics and alerts.
  'POST /v1/funnels': ({ s }) => ({
    role: 'analyst',
    path: '/v1/funnels',
    status: 200,
    body: { steps: ['send', 'delivery', 'click'], window_hours: 24, ...s.range },
    check: (r) =>
      assert.deepEqual(
        json(r).steps.map((x: { count: number }) => x.count),
        [10, 10, 4],
      ),
  }),
  'GET /v1/metrics': ({ s }) => ({
    role: 'analyst',
    path: `/v1/metrics?${new URLSearchParams({ metric: 'click_rate', interval: 'day', tz: 'UTC', ...s.range })}`,
    status: 200,
    check: (r) => {
      const series = json(r).series as { numerator: number; denominator: number }[];
      assert.deepEqual([series.reduce((a, p) => a + p.numerator, 0), series.reduce((a, p) => a + p.denominator, 0)], [4, 10]);
    },
  }),
  'GET /v1/insights/send-time': ({ s }) => ({
    role: 'analyst',
    path: `/v1/insights/send-time?${new URLSearchParams({ ...s.range, tz: 'UTC' })}`,
    status: 200,
    check: (r) => assert.deepEqual([json(r).delivered, json(r).grid.length, json(r).grid.flat().length], [10, 7, 7 * 24]),
  }),
  'GET /v1/events/values': ({ s }) => ({
    role: 'marketer',
    path: `/v1/events/values?${new URLSearchParams({ column: 'campaign_id', ...s.range })}`,
    status: 200,
    check: (r) => assert.deepEqual(json(r), { column: 'campaign_id', values: [{ value: 'http_campaign', events: 26 }], truncated: false }),
  }),
  'GET /v1/metrics/summary': ({ s }) => ({
    role: 'analyst',
    path: `/v1/metrics/summary?${new URLSearchParams(s.range)}`,
    status: 200,
    check: (r) => assert.equal(json(r).cards.find((c: { metric: string }) => c.metric === 'click_rate').rate, 0.4),
  }),
  'GET /v1/alert-rules': ({ s }) => ({
    role: 'marketer',
    path: '/v1/alert-rules',
    status: 200,
    check: (r) => assert.ok(json(r).rules.some((x: { id: string }) => x.id === s.alertRuleId)),
  }),
  'POST /v1/alert-rules': () => ({
    role: 'analyst',
    path: '/v1/alert-rules',
    status: 201,
    body: { name: 'over http', metric: 'delivery_rate', kind: 'threshold', threshold: { below: 0.5 } },
    check: (r) => assert.equal(json(r).spec.metric, 'delivery_rate'),
  }),
  'PUT /v1/alert-rules/:id': async (setup) => {
    const rule = await created(setup, 'analyst', '/v1/alert-rules', { name: 'to change', metric: 'click_rate', kind: 'threshold', threshold: { below: 0.01 } });
    return {
      role: 'analyst',
      path: `/v1/alert-rules/${rule.id}`,
      status: 200,
      body: { name: 'changed', metric: 'click_rate', kind: 'threshold', threshold: { below: 0.02 } },
      check: (r) => assert.deepEqual([json(r).name, json(r).spec.threshold], ['changed', { below: 0.02 }]),
    };
  },
  'POST /v1/alert-rules/:id/webhook-secret': async (setup) => {
    // Disabled: the webhook (an address that never resolves) is never called.
    const rule = await created(setup, 'analyst', '/v1/alert-rules', {
      name: 'signed',
      metric: 'click_rate',
      kind: 'threshold',
      threshold: { below: 0.01 },
      webhook_url: 'https://hooks.example.invalid/alert',
      enabled: false,
    });
    return {
      role: 'analyst',
      path: `/v1/alert-rules/${rule.id}/webhook-secret`,
      status: 200,
      check: (r) => assert.ok(json(r).webhook_secret && json(r).webhook_secret !== rule.webhook_secret),
    };
  },
  'DELETE /v1/alert-rules/:id': async (setup) => {
    const rule = await created(setup, 'analyst', '/v1/alert-rules', { name: 'to delete', metric: 'click_rate', kind: 'threshold', threshold: { below: 0.01 } });
    return { role: 'admin', path: `/v1/alert-rules/${rule.id}`, status: 204 };
  },
  'POST /v1/alerts/evaluate': ({ s }) => ({
    role: 'analyst',
    path: '/v1/alerts/evaluate?tz=UTC',
    status: 200,
    body: s.range,
    check: (r) => assert.deepEqual(json(r).fired, [], 'the seeded alert already fired for that bucket'),
  }),
  'GET /v1/alerts': ({ s }) => ({
    role: 'marketer',
    path: '/v1/alerts?status=open',
    status: 200,
    check: (r) => assert.ok(json(r).alerts.some((a: { id: string }) => a.id === s.alertId)),
  }),
  'GET /v1/alerts/:id': ({ s }) => ({
    role: 'marketer',
    path: `/v1/alerts/${s.alertId}`,
    status: 200,
    check: (r) => assert.equal(json(r).id, s.alertId),
  }),
  'POST /v1/alerts/:id/ack': ({ s }) => ({
    role: 'marketer',
    path: `/v1/alerts/${s.alertId}/ack`,
    status: 200,
    check: (r) => assert.equal(json(r).spec.status, 'acked'),
  }),
};

const t = await startTestApp('routes_over_http');
const routes = t.app.routeTable.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({ method: String(method), url: r.url! })));

describe('every route through a real listener', () => {
  const keys = {} as Record<Role, string>;
  let setup: Setup;

  before(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const call = fetchCaller(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`);
    for (const role of ['admin', 'analyst', 'marketer', 'sender'] as const) keys[role] = await t.keyFor(role, WORKSPACE);
    const s = await seedWorkspace(call, keys, 'http');
    setup = { call, key: (role) => keys[role], s };
  });
  after(() => t.close());

  it('has as many routes as expected, each with an example or a GET twin', () => {
    assert.ok(routes.length > 40, `only ${routes.length} routes?`);
    // A GET example may serve only a HEAD route (swagger-ui registers HEAD /docs on its own).
    const stale = Object.keys(EXAMPLES).filter((k) => !routes.some((r) => `${r.method} ${r.url}` === k || `HEAD ${r.url}` === k.replace(/^GET /, 'HEAD ')));
    assert.deepEqual(stale, [], 'examples for routes that no longer exist');
  });

  for (const route of routes) {
    const key = `${route.method} ${route.url}`;
    it(`${key} answers a well-formed request over HTTP`, async () => {
      const head = route.method === 'HEAD';
      const example = EXAMPLES[head ? `GET ${route.url}` : key];
      assert.ok(example, `no example request for ${key}: add one to EXAMPLES in test/routes-over-http.test.ts`);
      const ex = await example(setup);
      const res = await setup.call(route.method, ex.path, ex.role && keys[ex.role], ex.body, ex.headers);
      assert.equal(res.status, ex.status, `${key}: ${res.text.slice(0, 500)}`);
      if (head) assert.equal(res.text, '', 'a HEAD answer has no body');
      else ex.check?.(res);
    });
  }
});
