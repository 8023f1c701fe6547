/** Shared pieces of the benchmarks: timing, table printing, a throwaway embedded warehouse. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AppConfig } from '../config/config.ts';
import { migrate } from '../warehouse/migrations.ts';
import { openWarehouse, type Warehouse } from '../warehouse/warehouse.ts';

export async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export interface Measured {
  label: string;
  rows: number;
  seconds: number;
}

/** Prints rows/s for each path and its ratio to the first (the baseline). */
export function printTable(title: string, unit: string, results: Measured[]): void {
  const base = results[0]!.rows / results[0]!.seconds;
  console.log(`\n${title}`);
  console.log(`| path | ${unit} | seconds | ${unit}/s | vs baseline |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const rate = r.rows / r.seconds;
    console.log(
      `| ${r.label} | ${r.rows.toLocaleString('en')} | ${r.seconds.toFixed(2)} | ${Math.round(rate).toLocaleString('en')} | ${(rate / base).toFixed(2)} |`,
    );
  }
}

export interface BenchWarehouse {
  config: AppConfig;
  wh: Warehouse;
  close(): Promise<void>;
}

export async function benchWarehouse(env: NodeJS.ProcessEnv = {}): Promise<BenchWarehouse> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-bench-'));
  // Benchmarks measure throughput: no rate limit.
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ...env });
  const wh = await openWarehouse(config.warehouse);
  await migrate(wh);
  return {
    config,
    wh,
    async close() {
      await wh.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Settings for a benchmark's Kafka path: the broker, and topics and a consumer group of its own. */
export function kafkaBenchEnv(brokers: string, prefix: string): NodeJS.ProcessEnv {
  const id = `${prefix}_${Date.now()}`;
  return { KAFKA_BROKERS: brokers, KAFKA_EVENTS_TOPIC: `events_${id}`, KAFKA_DEAD_LETTER_TOPIC: `dlq_${id}`, KAFKA_GROUP_ID: `group_${id}` };
}
