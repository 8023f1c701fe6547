import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../config/config.ts';

describe('scheduler settings', () => {
  it('defaults to a pass every 30 s and schedules at most every 15 minutes', () => {
    const { server } = loadConfig({});
    assert.deepEqual([server.schedulerIntervalMs, server.scheduleMinIntervalMinutes], [30_000, 15]);
  });

  it('turns the scheduler off with 0, and refuses intervals below a second or out of range', () => {
    assert.equal(loadConfig({ SCHEDULER_INTERVAL_MS: '0' }).server.schedulerIntervalMs, 0);
    assert.equal(loadConfig({ SCHEDULE_MIN_INTERVAL_MINUTES: '60' }).server.scheduleMinIntervalMinutes, 60);
    for (const env of [
      { SCHEDULER_INTERVAL_MS: '500' },
      { SCHEDULER_INTERVAL_MS: '-1' },
      { SCHEDULE_MIN_INTERVAL_MINUTES: '0' },
      { SCHEDULE_MIN_INTERVAL_MINUTES: 'x' },
    ]) {
      assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    }
  });
});
