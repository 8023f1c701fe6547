/**
 * Property-based fuzzing of EVERY route in `app.routeTable` (a new route is fuzzed without anyone
 * listing it), for every role and for no key: bodies, query strings and path parameters generated
 * from the route's own JSON schema (valid, then mutated: wrong types, missing and extra fields) and from
 * the hostile dictionary (test/helpers/fuzz-dictionary.ts). For every request:
 *   - no answer is a 5xx;
 *   - every 4xx is {statusCode, code, message[, field]} with statusCode = the HTTP status, and every
 *     400 (and any VALIDATION_FAILED) names the field (see answerProblems);
 *   - nothing of a second workspace, seeded with unique markers, appears in any answer to workspace A;
 * and after each route's batch the server is healthy (/healthz 200) and a known-good request still
 * answers right. The bulk goes through app.inject(); a smaller batch through a real listener.
 *
 * Reproducible: the seed is printed; FUZZ_SEED and FUZZ_RUNS override it and the runs per (route, role);
 * FUZZ_ROUTE (a regular expression over "METHOD url") narrows a run, FUZZ_TRACE=1 prints every request,
 * FUZZ_STATS=1 the answers' statuses per route.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ContactSchema } from '../../ingest/contact-schema.ts';
import { EventSchema } from '../../ingest/event-schema.ts';
import { ROLES, type Role } from '../../access/roles.ts';
import { injectCaller, seedWorkspace, type SeededWorkspace } from '../helpers/api-seed.ts';
import { startTestApp } from '../helpers/app.ts';
import { AUTHORIZATION_WITHOUT_KEY } from '../helpers/fuzz-dictionary.ts';
import { answerProblems, describeRequest, requestArb, type FuzzRequest, type ItemSchemas, type RouteUnderTest } from '../helpers/fuzz-requests.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_111);
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
console.log(`route fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (set them to reproduce or to fuzz longer)`);

/** Routes not fuzzed, each with the reason. Every entry must still name a route of the table. */
const EXCLUDED: Record<string, string> = {
  // None today: static files, health and /docs take no body and are fuzzed on their path and query too.
};

/**
 * Requests the fuzz knows to fail because of code outside this test's reach: skipped by the properties
 * (so one known problem does not hide new ones), each with a hand-written `todo` case below.
 */
const KNOWN_PROBLEMS: { why: string; matches: (req: FuzzRequest) => boolean }[] = [
  // None open. (Fixed: POST /v1/contacts/import?format=xlsx with an empty body never answered.)
];
const knownProblem = (req: FuzzRequest) => KNOWN_PROBLEMS.some((k) => k.matches(req));

/** List bodies are `Array(Unknown)` (items judged one by one by their services): their items' schemas. */
const ITEM_SCHEMAS: ItemSchemas = {
  // A user id on every generated event, so that plain runs store some (the schema leaves it optional: a phone may do).
  'POST /v1/events': { ...EventSchema, required: [...EventSchema.required, 'user_id'] } as never,
  'POST /v1/contacts': ContactSchema as never,
};

// The rate limiter stays on but out of reach: thousands of requests a minute per key are the point here.
const t = await startTestApp('route_fuzz', { RATE_LIMIT_PER_MINUTE: '1000000' });
type FuzzedRoute = RouteUnderTest & { roles?: unknown };
const routes: FuzzedRoute[] = t.app.routeTable.flatMap((r) =>
  (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({
    method: String(method),
    url: r.url!,
    schema: (r as { schema?: RouteUnderTest['schema'] }).schema,
    roles: r.config?.roles,
  })),
);
const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** A stable 32-bit hash, so each (route, role) has its own seed whatever routes are added. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

type Caller = 'none' | Role;
const CALLERS: Caller[] = [...ROLES, 'none'];

describe('route fuzz', () => {
  const keys = {} as Record<Role, string>;
  let a: SeededWorkspace;
  let b: SeededWorkspace;
  const markers: string[] = [];
  const canary = { id: '', name: 'canary segment of workspace A' };
  let ids: string[] = [];
  let instants: { from: string[]; to: string[]; recent: string[] };

  before(async () => {
    for (const role of ROLES) keys[role] = await t.keyFor(role, 'ws_a');
    const bKeys = {
      admin: await t.keyFor('admin', 'ws_b'),
      sender: await t.keyFor('sender', 'ws_b'),
      marketer: await t.keyFor('marketer', 'ws_b'),
      analyst: await t.keyFor('analyst', 'ws_b'),
    };
    const call = injectCaller(t.app);
    // Workspace B's names, cities, campaigns, notes, tags and event properties all carry this marker (from the seed: a run reproduces).
    const marker = `SECRET_WS_B_${(SEED >>> 0).toString(36)}`;
    markers.push(marker);
    b = await seedWorkspace(call, bKeys, marker);
    a = await seedWorkspace(call, { admin: keys.admin, sender: keys.sender, marketer: keys.marketer, analyst: keys.analyst }, 'ws_a');
    const seg = await call('POST', '/v1/segments', keys.marketer, { name: canary.name, rule: { attr: 'city', op: 'eq', value: 'ws_a_city' } });
    assert.equal(seg.status, 201, seg.text);
    canary.id = seg.json.id;
    // Ids the generators put where a field or path names an object: A's own, and B's (which must answer as missing).
    const objectIds = (s: SeededWorkspace) => [s.segmentId, s.audienceId, s.experimentId, s.alertRuleId, s.alertId, s.clusterModelId];
    ids = [...new Set([...objectIds(a), ...objectIds(b), `${a.experimentId}.control`, `${b.experimentId}.treatment`])];
    const [from, to] = [Date.parse(a.range.from), Date.parse(a.range.to)];
    const iso = (ms: number) => new Date(ms).toISOString();
    instants = {
      from: [a.range.from, iso(from - 10 * 86_400_000)],
      to: [a.range.to, iso(to + 86_400_000)],
      recent: [iso(from + 3_600_000), iso(to - 3_600_000)],
    };
    for (const id of ids) assert.ok(!markers.some((m) => id.includes(m)), 'ids are echoed in 404 messages: they must not carry the marker');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  // What the answers were, per route: printed with FUZZ_STATS=1 (to see that the generators reach the handlers).
  const stats = new Map<string, Map<string, number>>();
  let currentRoute = '';
  function tally(_req: FuzzRequest, status: number, body: string): void {
    const code = status >= 400 ? `${status} ${(/"code":"([A-Z_]+)"/.exec(body) ?? [])[1] ?? ''}` : String(status);
    const counts = stats.get(currentRoute) ?? new Map<string, number>();
    counts.set(code, (counts.get(code) ?? 0) + 1);
    stats.set(currentRoute, counts);
  }
  after(() => {
    if (!process.env.FUZZ_STATS) return;
    for (const [route, counts] of stats)
      console.log(
        `${route}: ${[...counts]
          .sort()
          .map(([c, n]) => `${c}×${n}`)
          .join(', ')}`,
      );
  });

  /** Authorization of a caller: its key, or for 'none' no header, a garbage one or an unknown key. */
  const authorization = (caller: Caller): fc.Arbitrary<string | undefined> =>
    caller === 'none' ? fc.constantFrom(...AUTHORIZATION_WITHOUT_KEY) : fc.constant(`Bearer ${keys[caller]}`);

  function allowed(route: FuzzedRoute, caller: Caller): boolean {
    return route.roles === 'public' || (caller !== 'none' && Array.isArray(route.roles) && route.roles.includes(caller));
  }

  async function injectAndCheck(req: FuzzRequest): Promise<void> {
    if (process.env.FUZZ_TRACE) console.log(describeRequest(req));
    fc.pre(!knownProblem(req));
    const res = await t.app.inject({
      method: req.method as never,
      url: req.url,
      headers: req.headers,
      ...(req.payload !== undefined && { payload: req.payload }),
    });
    const problems = answerProblems({ method: req.method, status: res.statusCode, body: res.body }, markers);
    if (problems.length) throw new Error(`${problems.join('; ')}\n  request: ${describeRequest(req)}\n  answer: ${res.statusCode} ${res.body.slice(0, 400)}`);
    tally(req, res.statusCode, res.body);
  }

  /** Runs a property; on failure, a short report (fast-check's own would print megabytes of generated text). */
  async function check(
    arb: fc.Arbitrary<FuzzRequest>,
    predicate: (req: FuzzRequest) => Promise<void>,
    params: { seed: number; numRuns: number },
  ): Promise<void> {
    const out = await fc.check(fc.asyncProperty(arb, predicate), { ...params, endOnFailure: true });
    if (out.failed) {
      const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
      assert.fail(`after ${out.numRuns} runs (seed ${params.seed}, path ${out.counterexamplePath}): ${why}`);
    }
  }

  /** The server still serves: /healthz, and known-good requests give their known answers. */
  async function assertHealthy(after: string): Promise<void> {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200, `/healthz after ${after}`);
    const seg = await t.app.inject({ method: 'GET', url: `/v1/segments/${canary.id}`, headers: { authorization: `Bearer ${keys.analyst}` } });
    assert.equal(seg.statusCode, 200, `canary segment after ${after}: ${seg.body}`);
    assert.equal(seg.json().name, canary.name);
    const event = await t.app.inject({ method: 'GET', url: `/v1/events/${a.eventId}`, headers: { authorization: `Bearer ${keys.analyst}` } });
    assert.equal(event.statusCode, 200, `known event after ${after}: ${event.body}`);
    assert.equal(event.json().event_id, a.eventId);
  }

  // Hand-written reproductions of what the fuzz found (through the listener; before the fuzz writes into workspace A).
  const listenerBase = () => `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const get = async (path: string, role: Role = 'analyst') => {
    const res = await fetch(`${listenerBase()}${path}`, { headers: { authorization: `Bearer ${keys[role]}`, 'accept-language': 'en' } });
    return { status: res.status, text: await res.text() };
  };
  const post = async (path: string, body: unknown, role: Role = 'analyst') => {
    const res = await fetch(`${listenerBase()}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[role]}`, 'accept-language': 'en', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };

  it("filters on the events' revenue work in metrics, funnels and rules (they answered 500)", async () => {
    // Workspace A's two conversions have revenue 10 and 11.
    const summary = await get(
      `/v1/metrics/summary?${new URLSearchParams({ ...a.range, filters: JSON.stringify([{ prop: 'revenue', op: 'gt', value: 10.5 }]) })}`,
    );
    assert.equal(summary.status, 200, summary.text);
    const revenueCard = JSON.parse(summary.text).cards.find((c: { metric: string }) => c.metric === 'revenue');
    assert.equal(revenueCard.numerator, 11);
    const series = await get(
      `/v1/metrics?${new URLSearchParams({ metric: 'revenue', interval: 'day', tz: 'UTC', ...a.range, filters: JSON.stringify([{ prop: 'revenue', op: 'exists' }]) })}`,
    );
    assert.equal(series.status, 200, series.text);
    assert.equal(
      JSON.parse(series.text).series.reduce((s: number, p: { numerator: number }) => s + p.numerator, 0),
      21,
    );
    const funnel = await post('/v1/funnels', { steps: ['send', 'click'], window_hours: 24, ...a.range, filters: [{ prop: 'revenue', op: 'exists' }] });
    assert.equal(funnel.status, 200, funnel.text);
    assert.deepEqual(
      JSON.parse(funnel.text).steps.map((x: { count: number }) => x.count),
      [10, 4],
    );
    for (const [value, count] of [
      [undefined, 2],
      [false, 0],
    ] as const) {
      const preview = await post('/v1/segments/preview', {
        rule: { event: 'conversion', where: [{ prop: 'revenue', op: 'exists', ...(value === false && { value }) }] },
      });
      assert.equal(preview.status, 200, preview.text);
      assert.equal(JSON.parse(preview.text).count, count);
    }
  });

  it('numbers written as text beyond every type ("1e400" → Infinity by schema coercion) are refused, naming the field (they answered 500)', async () => {
    const refused = (res: { status: number; text: string }, field: string) => {
      assert.equal(res.status, 400, res.text);
      assert.deepEqual([JSON.parse(res.text).code, JSON.parse(res.text).field], ['VALIDATION_FAILED', field]);
    };
    refused(await get('/v1/segments?limit=1e400'), 'querystring.limit');
    refused(await post('/v1/rfm/compute', { window_days: '1e400' }), 'body.window_days');
    refused(await post('/v1/experiments/plan', { baseline_rate: 0.1, mde_rel: '-1e400' }), 'body.mde_rel');
    const del = await fetch(`${listenerBase()}/v1/audiences/${a.audienceId}/versions/1e400`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${keys.marketer}` },
    });
    refused({ status: del.status, text: await del.text() }, 'params.version');
    // The same numbers in range still work.
    assert.equal((await get('/v1/segments?limit=1e1')).status, 200);
  });

  it('an empty body with ?format=xlsx is refused with a 400 (it never answered)', async () => {
    const res = await fetch(`${listenerBase()}/v1/contacts/import?format=xlsx`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.marketer}`, 'content-type': 'application/octet-stream' },
      body: '',
      signal: AbortSignal.timeout(3000),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, 'IMPORT_REFUSED');
  });

  it('a request the HTTP parser refuses (URL over 16 KiB, bytes that are not HTTP) answers in the error shape', async () => {
    const long = await fetch(`${listenerBase()}/v1/segments?cursor=${'x'.repeat(20_000)}`, { headers: { authorization: `Bearer ${keys.analyst}` } });
    assert.equal(long.status, 431);
    const body = (await long.json()) as { statusCode: number; code: unknown; message: unknown };
    assert.deepEqual([body.statusCode, typeof body.code, typeof body.message], [431, 'string', 'string']);
    const { port } = t.app.server.address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    const json = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    // Not about any field (no request was parsed): the one 400 without `field`.
    assert.deepEqual([json.statusCode, json.code, typeof json.message], [400, 'BAD_REQUEST', 'string'], raw);
  });
  it('fuzzes every route of the table, or excludes it with a reason', () => {
    assert.ok(routes.length > 40, `only ${routes.length} routes?`);
    for (const key of Object.keys(EXCLUDED))
      assert.ok(
        routes.some((r) => routeKey(r) === key),
        `exclusion ${key} names no route`,
      );
    for (const r of routes) assert.ok(r.roles === 'public' || Array.isArray(r.roles), `${routeKey(r)} declares its roles`);
  });

  for (const route of routes) {
    const key = routeKey(route);
    if (EXCLUDED[key]) continue;
    // FUZZ_ROUTE (a regular expression) narrows a run to some routes, to reproduce a failure quickly.
    if (process.env.FUZZ_ROUTE && !new RegExp(process.env.FUZZ_ROUTE).test(key)) continue;
    it(`${key}: no 5xx, one error shape, no other workspace's data`, async () => {
      currentRoute = key;
      for (const caller of CALLERS) {
        // Callers the route refuses are answered before any parsing: a few runs check that.
        const base = allowed(route, caller) ? RUNS : Math.max(2, Math.ceil(RUNS / 4));
        const numRuns = route.method === 'HEAD' ? Math.max(2, Math.ceil(base / 3)) : base;
        const seed = (SEED ^ hash(`${key} ${caller}`)) | 0;
        for (const hostile of [false, true]) {
          const arb = requestArb(route, authorization(caller), { ids, hostile, instants }, ITEM_SCHEMAS);
          await check(arb, injectAndCheck, { seed: seed + (hostile ? 1 : 0), numRuns: hostile ? numRuns : Math.max(1, Math.ceil(numRuns / 2)) });
        }
      }
      await assertHealthy(key);
    });
  }

  it('a batch through a real listener: the same properties over a socket', async () => {
    const base = listenerBase();
    const fuzzed = routes.filter((r) => !EXCLUDED[routeKey(r)]);
    const arb = fc
      .constantFrom(...fuzzed)
      .chain((route) =>
        fc
          .constantFrom(...CALLERS.filter((c) => allowed(route, c)), 'none' as const)
          .chain((caller) => fc.boolean().chain((hostile) => requestArb(route, authorization(caller), { ids, hostile, instants }, ITEM_SCHEMAS))),
      );
    // Node's HTTP parser refuses a request line over 16 KiB before fastify sees it (a 431: the hand-written case above).
    const fitting = arb.filter((req) => req.url.length < 8000 && !knownProblem(req));
    await check(
      fitting,
      async (req) => {
        const res = await fetch(`${base}${req.url}`, {
          method: req.method,
          headers: req.headers,
          redirect: 'manual',
          ...(req.payload !== undefined && { body: req.payload }),
        }).catch((err: Error) => {
          throw new Error(`fetch failed: ${String((err.cause as Error | undefined)?.message ?? err.message)}\n  request: ${describeRequest(req)}`);
        });
        const body = await res.text();
        const problems = answerProblems({ method: req.method, status: res.status, body }, markers);
        if (problems.length) throw new Error(`${problems.join('; ')}\n  request: ${describeRequest(req)}\n  answer: ${res.status} ${body.slice(0, 400)}`);
      },
      { seed: SEED, numRuns: Math.max(20, RUNS * 8) },
    );
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    await assertHealthy('the listener batch');
  });
});
