/** POST /v1/events over loopback HTTP vs a raw client insert of the same rows. */
import { createApiKey } from '../access/api-keys.ts';
import { buildApp } from '../api/app.ts';
import type { EventInput } from '../ingest/event-schema.ts';
import type { EventRow } from '../ingest/event-schema.ts';
import { benchWarehouse, printTable, seconds } from './harness.ts';

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function benchHttpIngest(events: EventInput[], rows: EventRow[], batch: number): Promise<void> {
  const b = await benchWarehouse({ MAX_EVENTS_PER_REQUEST: String(batch), BODY_LIMIT_BYTES: String(64 * 1024 * 1024) });
  const app = await buildApp({ config: b.config, warehouse: b.wh, logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createApiKey(b.wh, { workspace: 'bench_api', role: 'sender', name: 'bench', createdBy: 'bench' });
  const bodies = chunks(events, batch).map((c) => JSON.stringify(c));
  const raw = chunks(rows, batch);
  const rawSeconds = await seconds(async () => {
    for (const r of raw) await b.wh.client.insert({ table: 'events', values: r, format: 'JSONEachRow' });
  });
  const apiSeconds = await seconds(async () => {
    for (const body of bodies) {
      const res = await fetch(`${address}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status !== 202) throw new Error(`API answered ${res.status}`);
    }
  });
  printTable(`HTTP ingest, batches of ${batch}`, 'events', [
    { label: 'raw client.insert (baseline)', rows: rows.length, seconds: rawSeconds },
    { label: 'POST /v1/events', rows: events.length, seconds: apiSeconds },
  ]);
  await app.close();
  await b.close();
}
