/** The event-write gate: shared holders run together; a holder alone waits for them and holds back newcomers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedExclusiveLock } from '../../warehouse/shared-exclusive-lock.ts';

/** A task that records its start and end in `log` and finishes when `finish` is called. */
function controlled(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedExclusiveLock', () => {
  it('lets shared holders overlap', async () => {
    const lock = new SharedExclusiveLock();
    const log: string[] = [];
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    const pa = lock.shared(a.task);
    const pb = lock.shared(b.task);
    await tick();
    assert.deepEqual(log, ['a start', 'b start']);
    b.finish();
    a.finish();
    await Promise.all([pa, pb]);
    assert.deepEqual(log, ['a start', 'b start', 'b end', 'a end']);
  });

  it('runs a holder alone after the shared holders in flight, and newcomers after it', async () => {
    const lock = new SharedExclusiveLock();
    const log: string[] = [];
    const early = controlled(log, 'early');
    const alone = controlled(log, 'alone');
    const late = controlled(log, 'late');
    const pe = lock.shared(early.task);
    await tick();
    const pa = lock.alone(alone.task);
    assert.equal(lock.heldExclusively, true, 'waiting counts as held');
    const pl = lock.shared(late.task);
    await tick();
    assert.deepEqual(log, ['early start'], 'alone waits for early; late waits for alone');
    early.finish();
    await pe;
    await tick();
    assert.deepEqual(log, ['early start', 'early end', 'alone start']);
    alone.finish();
    await pa;
    await tick();
    assert.equal(lock.heldExclusively, false);
    assert.deepEqual(log.slice(3), ['alone end', 'late start']);
    late.finish();
    await pl;
  });

  it('runs two holders alone one after the other, and lets go when a task throws', async () => {
    const lock = new SharedExclusiveLock();
    const log: string[] = [];
    const first = lock.alone(async () => {
      log.push('first');
      await tick();
      throw new Error('boom');
    });
    const second = lock.alone(async () => {
      log.push('second');
    });
    await assert.rejects(first, /boom/);
    await second;
    assert.deepEqual(log, ['first', 'second']);
    assert.equal(await lock.shared(async () => 'free'), 'free');
  });
});
