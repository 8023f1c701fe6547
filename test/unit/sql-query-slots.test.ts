/** The cap on sandbox queries running at once: the next in line gets a freed slot; one that waits too long is refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../common/errors.ts';
import { QuerySlots } from '../../sandbox/query-slots.ts';

describe('QuerySlots', () => {
  it('admits up to the cap, then hands a freed slot to the first in line', async () => {
    const slots = new QuerySlots(2);
    const first = await slots.acquire(1000);
    const second = await slots.acquire(1000);
    const order: string[] = [];
    const third = slots.acquire(1000).then((release) => (order.push('third'), release));
    const fourth = slots.acquire(1000).then((release) => (order.push('fourth'), release));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(order, []);
    first();
    first(); // a second release of the same slot frees nothing more
    const releaseThird = await third;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(order, ['third']);
    second();
    (await fourth)();
    releaseThird();
    // Everything released: two fit again at once.
    (await slots.acquire(10))();
    assert.deepEqual(order, ['third', 'fourth']);
  });

  it('refuses with 503 UNAVAILABLE after waiting its limit, and the line moves on', async () => {
    const slots = new QuerySlots(1);
    const only = await slots.acquire(1000);
    const started = Date.now();
    await assert.rejects(slots.acquire(50), (err) => isAppError(err, 'UNAVAILABLE') && err.status === 503);
    assert.ok(Date.now() - started >= 45);
    const next = slots.acquire(1000);
    only();
    (await next)();
  });
});
