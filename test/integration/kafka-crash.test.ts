/**
 * A standalone ingest worker process that owns its own embedded data directory, killed with SIGKILL
 * at random points and restarted: the warehouse must end with exactly the produced events. This file
 * opens no other data directory (libchdb binds one per process): it reads the worker's after it stops.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { measureLag } from '../../ingest/kafka/lag-monitor.ts';
import { openWarehouse } from '../../warehouse/warehouse.ts';
import { kafkaEvent, kafkaTestConfig, produceEvents, testKafka, waitFor, withAdmin } from '../helpers/kafka.ts';
import { testRandom } from '../helpers/random.ts';

const TOTAL = 200_000;
const KILLS = 3;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-crash-'));
const kafka = testKafka();
const config = kafkaTestConfig('crash', { INGEST_BATCH_ROWS: '5000' });
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  CLICKHOUSE_URL: '',
  KAFKA_BROKERS: config.brokers!.join(','),
  KAFKA_EVENTS_TOPIC: config.eventsTopic,
  KAFKA_DEAD_LETTER_TOPIC: config.deadLetterTopic,
  KAFKA_GROUP_ID: config.groupId,
  INGEST_BATCH_ROWS: '5000',
  INGEST_BATCH_WAIT_MS: '300',
  INGEST_SESSION_TIMEOUT_MS: String(config.sessionTimeoutMs),
};

function startWorker(): { child: ChildProcess; running: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/smsp.mjs', 'ingest', '--metrics-port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? null : code)));
  const running = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('ingest running')) resolve();
    });
    void exited.then(() => reject(new Error(`worker exited before running:\n${stderr}`)));
  });
  return { child, running, exited };
}

const lagIsZero = async () => (await withAdmin(kafka, (admin) => measureLag(admin, config))).every((p) => p.lag === 0);

describe('standalone ingest worker killed with SIGKILL and restarted', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it(`ends with exactly the ${TOTAL} produced events`, async () => {
    await withAdmin(kafka, (admin) => admin.createTopics({ topics: [{ topic: config.eventsTopic, numPartitions: 4 }], waitForLeaders: true }));
    await produceEvents(
      kafka,
      config.eventsTopic,
      'ws_crash',
      Array.from({ length: TOTAL }, (_, i) => kafkaEvent(i, 'c')),
    );

    // Each worker is killed a seeded random time after it has committed something (not a fixed time after it
    // starts: on a loaded machine it may not have joined the group yet), so every kill lands mid-stream.
    const random = testRandom('kafka-crash kill points');
    const delays: number[] = [];
    const lagAtKill: number[] = [];
    const totalLag = async () => (await withAdmin(kafka, (admin) => measureLag(admin, config))).reduce((sum, p) => sum + p.lag, 0);
    for (let k = 0; k < KILLS; k++) {
      const worker = startWorker();
      await worker.running;
      const lagBefore = lagAtKill.at(-1) ?? TOTAL;
      await waitFor(`worker ${k + 1} to commit a batch`, async () => (await totalLag()) < lagBefore || lagBefore === 0, 120_000);
      const delay = random.int(0, 999);
      delays.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      worker.child.kill('SIGKILL');
      await worker.exited;
      lagAtKill.push(await totalLag());
    }
    // The kills must have hit a worker in the middle of the stream, or this test proves little.
    assert.ok(
      lagAtKill.some((lag) => lag > 0 && lag < TOTAL),
      `lag left at each kill: ${lagAtKill.join(', ')}`,
    );
    const last = startWorker();
    await last.running;
    await waitFor('the last worker to drain the topic', lagIsZero, 180_000);
    last.child.kill('SIGTERM');
    assert.equal(await last.exited, 0, 'SIGTERM: clean exit');

    const wh = await openWarehouse(loadConfig({ DATA_DIR: dataDir }).warehouse);
    try {
      const [r] = await wh.query<{ rows: string; ids: string; foreign: string }>(
        `SELECT count() AS rows, uniqExact(event_id) AS ids, countIf(NOT match(event_id, '^c[0-9]{8}$')) AS foreign
         FROM events WHERE workspace_id = 'ws_crash'`,
      );
      assert.deepEqual(
        { rows: Number(r!.rows), ids: Number(r!.ids), foreign: Number(r!.foreign) },
        { rows: TOTAL, ids: TOTAL, foreign: 0 },
        `kills ${delays.join(', ')} ms after a commit`,
      );
    } finally {
      await wh.close();
    }
  });
});
