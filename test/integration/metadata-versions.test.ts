import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { audienceVersions } from '../../segmentation/audiences.ts';
import type { SegmentSpec } from '../../segmentation/segments.ts';
import { KeyedMutex } from '../../warehouse/keyed-mutex.ts';
import { isVersionConflict, MetadataStore } from '../../warehouse/metadata-store.ts';
import { formatTs } from '../../warehouse/time.ts';
import { claimVersion } from '../../warehouse/version-claims.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';

const WS = 'ver';

describe('metadata versions: concurrent writers never share a version', () => {
  let t: TestApp;
  let base: string;
  let marketer: string;

  before(async () => {
    t = await startTestApp('metadata_versions');
    marketer = await t.keyFor('marketer', WS);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${url}`, {
      method,
      headers: { ...bearer(marketer), ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // Response bodies are checked field by field below.
  const json = async (r: Response | Promise<Response>) => (await (await r).json()) as Record<string, any>;

  it('8 concurrent PUTs of one segment get versions 2..9 and every edit stays in the history', async () => {
    const created = await json(call('POST', '/v1/segments', { name: 'v1', rule: { attr: 'city', op: 'eq', value: 'c0' } }));
    assert.equal(created.version, 1);
    const edits = Array.from({ length: 8 }, (_, i) => ({ name: `edit ${i}`, rule: { attr: 'city', op: 'eq', value: `c${i + 1}` } }));
    const responses = await Promise.all(edits.map((e) => call('PUT', `/v1/segments/${created.id}`, e)));
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(8).fill(200),
    );
    const versions = await Promise.all(responses.map((r) => r.json() as Promise<{ version: number }>));
    assert.deepEqual(
      versions.map((v) => v.version).sort((a, b) => a - b),
      [2, 3, 4, 5, 6, 7, 8, 9],
    );

    const history = await new MetadataStore<SegmentSpec>(t.wh, 'segments').history(WS, created.id);
    assert.deepEqual(
      history.map((h) => h.version),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    // Each response's version holds exactly that request's edit.
    edits.forEach((e, i) => {
      const stored = history.find((h) => h.version === versions[i]!.version)!;
      assert.equal(stored.name, e.name);
      assert.deepEqual(stored.spec.rule, e.rule);
    });
    const newest = await json(call('GET', `/v1/segments/${created.id}`));
    assert.equal(newest.version, 9);
  });

  it('If-Match: a PUT based on an outdated version is refused with 409 VERSION_CONFLICT (English and Chinese)', async () => {
    const created = await json(call('POST', '/v1/segments', { name: 'etag', rule: { attr: 'city', op: 'eq', value: 'x' } }));
    const ok = await call('PUT', `/v1/segments/${created.id}`, { name: 'etag 2', rule: { attr: 'city', op: 'eq', value: 'y' } }, { 'if-match': '"1"' });
    assert.equal(ok.status, 200);
    assert.equal((await json(ok)).version, 2);
    const stale = await call('PUT', `/v1/segments/${created.id}`, { name: 'stale', rule: { attr: 'city', op: 'eq', value: 'z' } }, { 'if-match': '"1"' });
    assert.equal(stale.status, 409);
    const body = await json(stale);
    assert.equal(body.code, 'VERSION_CONFLICT');
    assert.match(body.message, /changed by another request/);
    const zh = await call(
      'PUT',
      `/v1/segments/${created.id}`,
      { name: 'stale', rule: { attr: 'city', op: 'eq', value: 'z' } },
      { 'if-match': '1', 'accept-language': 'zh-CN' },
    );
    assert.equal(zh.status, 409);
    assert.match((await json(zh)).message, /已被其他请求修改/);
    const bad = await call('PUT', `/v1/segments/${created.id}`, { name: 'bad', rule: { attr: 'city', op: 'eq', value: 'z' } }, { 'if-match': 'abc' });
    assert.equal(bad.status, 400);
    const history = await new MetadataStore<SegmentSpec>(t.wh, 'segments').history(WS, created.id);
    assert.deepEqual(
      history.map((h) => h.name),
      ['etag', 'etag 2'],
      'the refused edits wrote nothing',
    );
  });

  it("3 concurrent materializations get versions 1, 2, 3, each with exactly the rule's members", async () => {
    const city = (i: number) => (i % 3 === 0 ? '杭州' : '成都');
    const contacts = Array.from({ length: 90 }, (_, i) => ({
      workspace_id: WS,
      user_id: `m${String(i).padStart(3, '0')}`,
      phone: `+8613900${String(100000 + i)}`,
      name: `n${i}`,
      gender: '',
      birthday: null,
      city: city(i),
      region: '',
      signup_at: null,
      vip_level: 0,
      consent: 'opted_in',
      consent_at: null,
      attributes: {},
      updated_at: formatTs(Date.now()),
    }));
    await t.wh.insert('contacts', contacts);
    const expected = contacts.filter((c) => c.city === '杭州').length;
    const seg = await json(call('POST', '/v1/segments', { name: 'hz', rule: { attr: 'city', op: 'eq', value: '杭州' } }));
    const runs = await Promise.all([1, 2, 3].map(() => call('POST', `/v1/segments/${seg.id}/materialize`, {})));
    assert.deepEqual(
      runs.map((r) => r.status),
      [200, 200, 200],
    );
    const bodies = await Promise.all(runs.map((r) => r.json() as Promise<{ version: number; size: number }>));
    assert.deepEqual(bodies.map((b) => b.version).sort(), [1, 2, 3]);
    assert.deepEqual(
      bodies.map((b) => b.size),
      [expected, expected, expected],
    );
    const members = await t.wh.query<{ version: number; n: string; users: string }>(
      'SELECT version, count() AS n, uniqExact(user_id) AS users FROM audience_members WHERE workspace_id = {ws:String} AND audience_id = {id:String} GROUP BY version ORDER BY version',
      { ws: WS, id: seg.id },
    );
    assert.deepEqual(
      members.map((m) => [Number(m.version), Number(m.n), Number(m.users)]),
      [
        [1, expected, expected],
        [2, expected, expected],
        [3, expected, expected],
      ],
    );
    const versions = await audienceVersions(t.wh, WS, seg.id);
    assert.deepEqual(
      versions.map((v) => [v.version, v.size]),
      [
        [1, expected],
        [2, expected],
        [3, expected],
      ],
    );
    const audience = await json(call('GET', `/v1/audiences/${seg.id}`));
    assert.equal(audience.version, 3, 'the newest record is the newest snapshot');

    // Two deletions at once are both kept (read-modify-write under the object's lock).
    const deletions = await Promise.all([1, 2].map((v) => call('DELETE', `/v1/audiences/${seg.id}/versions/${v}`)));
    assert.deepEqual(
      deletions.map((r) => r.status),
      [204, 204],
    );
    assert.deepEqual(
      (await audienceVersions(t.wh, WS, seg.id)).map((v) => v.version),
      [3],
    );
  });

  it('a stale writer of another process (its own locks) gets VERSION_CONFLICT and writes nothing', async () => {
    const processA = new MetadataStore<SegmentSpec>(t.wh, 'segments');
    const processB = new MetadataStore<SegmentSpec>(t.wh, 'segments', { locks: new KeyedMutex() });
    const rule = { attr: 'city', op: 'eq', value: 'a' } as SegmentSpec['rule'];
    const first = await processA.save(WS, { name: 'a1', spec: { rule }, changedBy: 'a' });
    // B read version 1 and computed version 2; A saves version 2 before B writes.
    const a2 = await processA.save(WS, { id: first.id, name: 'a2', spec: { rule }, changedBy: 'a' });
    assert.equal(a2.version, 2);
    const staleRow = { id: first.id, version: 2, name: 'b2', spec: JSON.stringify({ rule }), deleted: 0, changed_at: formatTs(Date.now()), changed_by: 'b' };
    await assert.rejects(processB.commit(WS, staleRow), isVersionConflict);
    assert.deepEqual(
      (await processA.history(WS, first.id)).map((h) => [h.version, h.name]),
      [
        [1, 'a1'],
        [2, 'a2'],
      ],
    );
    // B's next attempt reads again and gets a fresh number.
    assert.equal((await processB.save(WS, { id: first.id, name: 'b3', spec: { rule }, changedBy: 'b' })).version, 3);

    // Racing without sharing locks: every save either gets its own version or is refused; none is merged.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? processA : processB).save(WS, { id: first.id, name: `race ${i}`, spec: { rule }, changedBy: 'race' })),
    );
    const saved = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    for (const r of results) if (r.status === 'rejected') assert.ok(isVersionConflict(r.reason), String(r.reason));
    assert.ok(saved.length >= 2, 'each process saved at least its first edit');
    assert.equal(new Set(saved.map((s) => s.version)).size, saved.length, 'distinct versions');
    const history = await processA.history(WS, first.id);
    assert.equal(history.length, 3 + saved.length);
    for (const s of saved) assert.equal(history.find((h) => h.version === s.version)?.name, s.name);
  });

  it('the server path: two stored claims of one version (beyond the deduplication window) agree on the earliest', async () => {
    const key = { type: 'segments', workspace: WS, id: 'claim-race' };
    // A claim stored without a token, as if a racer's block escaped deduplication, and stored first.
    await t.wh.insert('version_claims', [{ workspace_id: WS, object_type: key.type, object_id: key.id, version: 1, write_id: 'zz-first' }]);
    await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(claimVersion(t.wh, key, 1, 'aa-second'), isVersionConflict);
    // Stored twice now; still the first one wins for every reader, whatever the write ids sort as.
    const [n] = await t.wh.query<{ n: string }>('SELECT count() AS n FROM version_claims WHERE workspace_id = {ws:String} AND object_id = {id:String}', {
      ws: WS,
      id: key.id,
    });
    assert.equal(Number(n!.n), 2);
    await assert.rejects(claimVersion(t.wh, key, 1, 'aa-third'), isVersionConflict, 'deduplicated or not, a later claim loses');
    // A winner stays the winner when a later racer's row lands after it.
    assert.equal(await claimVersion(t.wh, key, 2, 'w2'), 'w2');
    await t.wh.insert('version_claims', [{ workspace_id: WS, object_type: key.type, object_id: key.id, version: 2, write_id: 'aaa' }]);
    await assert.rejects(claimVersion(t.wh, key, 2, 'other'), isVersionConflict);
    const store = new MetadataStore<SegmentSpec>(t.wh, 'segments');
    // A new version skips every claimed number, even one whose writer never wrote its row.
    const saved = await store.save(WS, {
      id: key.id,
      name: 'after claims',
      spec: { rule: { attr: 'city', op: 'eq', value: 'q' } as SegmentSpec['rule'] },
      changedBy: 't',
    });
    assert.equal(saved.version, 3);
  });

  it('readers take one row per version: a version stored twice by an old writer shows once, its earliest row', async () => {
    const store = new MetadataStore<SegmentSpec>(t.wh, 'segments');
    const rule = { attr: 'city', op: 'eq', value: 'd' } as SegmentSpec['rule'];
    const first = await store.save(WS, { name: 'dup 1', spec: { rule }, changedBy: 't' });
    const row = (name: string, ms: number) => ({
      workspace_id: WS,
      kind: 'segments',
      id: first.id,
      version: 2,
      name,
      spec: JSON.stringify({ rule }),
      deleted: 0,
      changed_at: formatTs(ms),
      changed_by: 'old',
    });
    const now = Date.now();
    await t.wh.insert('metadata', [row('dup 2 late', now + 10)]);
    await t.wh.insert('metadata', [row('dup 2 early', now)]);
    assert.deepEqual(
      (await store.history(WS, first.id)).map((h) => [h.version, h.name]),
      [
        [1, 'dup 1'],
        [2, 'dup 2 early'],
      ],
    );
    assert.equal((await store.get(WS, first.id))?.name, 'dup 2 early');
    const listed = await store.list(WS, 1000);
    assert.equal(listed.find((s) => s.id === first.id)?.name, 'dup 2 early');
  });
});
