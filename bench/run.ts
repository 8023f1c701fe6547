/**
 * `npm run bench`: figures as ratios against a baseline measured in the same run.
 *
 * ingest: N generated events posted to POST /v1/events over loopback HTTP (validation, dedup token,
 * synchronous insert), against a raw @clickhouse/client insert of the same rows in the same batches.
 * Usage: npm run bench -- [--events N] [--batch N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '../access/api-keys.ts';
import { buildApp } from '../api/app.ts';
import { loadConfig } from '../config/config.ts';
import { DEFAULT_DEMO, generateContacts, generateEvents } from '../demo/generator.ts';
import { validateEvent } from '../ingest/event-validation.ts';
import type { EventInput } from '../ingest/event-schema.ts';
import { migrate } from '../warehouse/migrations.ts';
import { openWarehouse } from '../warehouse/warehouse.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, batch: { type: 'string', default: '5000' } } });
const target = Number(values.events);
const batchSize = Number(values.batch);

function demoEvents(n: number): EventInput[] {
  const opts = { ...DEFAULT_DEMO, contacts: Math.max(500, Math.ceil(n / 14)), endMs: Date.now(), batchSize: 10_000 };
  const out: EventInput[] = [];
  for (const batch of generateEvents(opts, generateContacts(opts))) {
    out.push(...batch);
    if (out.length >= n) break;
  }
  return out.slice(0, n);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', MAX_EVENTS_PER_REQUEST: String(batchSize), BODY_LIMIT_BYTES: String(64 * 1024 * 1024) });
  const wh = await openWarehouse(config.warehouse);
  await migrate(wh);
  const app = await buildApp({ config, warehouse: wh, logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createApiKey(wh, { workspace: 'bench_api', role: 'sender', name: 'bench', createdBy: 'bench' });

  const events = demoEvents(target);
  const rows = events.map((e) => {
    const r = validateEvent('bench_raw', e);
    if (!r.ok) throw new Error(r.error.message);
    return r.row;
  });
  const apiBatches = chunks(events, batchSize).map((b) => JSON.stringify(b));
  const rawBatches = chunks(rows, batchSize);

  const viaApi = async () => {
    for (const body of apiBatches) {
      const res = await fetch(`${address}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
      if (res.status !== 202) throw new Error(`API answered ${res.status}: ${await res.text()}`);
    }
  };
  const raw = async () => {
    for (const batch of rawBatches) await wh.client.insert({ table: 'events', values: batch, format: 'JSONEachRow' });
  };

  const apiSeconds = await timed(viaApi);
  const rawSeconds = await timed(raw);
  const apiRate = events.length / apiSeconds;
  const rawRate = events.length / rawSeconds;
  const [stored] = await wh.query<{ n: string }>("SELECT count() AS n FROM events FINAL WHERE workspace_id = 'bench_api'");

  console.log(`ingest benchmark: ${events.length} events, batches of ${batchSize}, embedded ClickHouse (chDB), Node ${process.version}, ${os.cpus().length} cores`);
  console.log('| path | seconds | events/s | vs raw insert |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| raw client.insert (baseline) | ${rawSeconds.toFixed(2)} | ${Math.round(rawRate).toLocaleString('en')} | 1.00 |`);
  console.log(`| POST /v1/events over HTTP | ${apiSeconds.toFixed(2)} | ${Math.round(apiRate).toLocaleString('en')} | ${(apiRate / rawRate).toFixed(2)} |`);
  console.log(`(stored through the API after dedup: ${stored!.n})`);

  await app.close();
  await wh.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
