/** A 500,000-number TXT import (validate, stage, merge, write) vs a raw insert of the finished contact rows. */
import { Readable } from 'node:stream';
import { importContacts } from '../ingest/imports/contact-import.ts';
import { formatTs } from '../warehouse/time.ts';
import { benchWarehouse, printTable, seconds } from './harness.ts';

const phone = (i: number) => `13${String(100_000_000 + i * 7).padStart(9, '0')}`;

export async function benchImport(n: number): Promise<void> {
  const b = await benchWarehouse();
  const text = Array.from({ length: n }, (_, i) => phone(i)).join('\n');
  const now = formatTs(Date.now());
  const rows = Array.from({ length: n }, (_, i) => ({
    workspace_id: 'bench_raw',
    user_id: `+86${phone(i)}`,
    phone: `+86${phone(i)}`,
    name: '',
    gender: '',
    birthday: null,
    city: '',
    region: '',
    signup_at: null,
    vip_level: 0,
    consent: 'unknown',
    consent_at: null,
    attributes: {},
    updated_at: now,
  }));
  const rawSeconds = await seconds(async () => {
    for (let i = 0; i < rows.length; i += 10_000) await b.wh.client.insert({ table: 'contacts', values: rows.slice(i, i + 10_000), format: 'JSONEachRow' });
  });
  const importSeconds = await seconds(() => importContacts(b.wh, 'bench_import', Readable.from([Buffer.from(text)]), { maxRows: n, maxBytes: 1e9 }));
  printTable(`Contact import, ${n.toLocaleString('en')} numbers (TXT)`, 'rows', [
    { label: 'raw client.insert of finished contact rows (baseline)', rows: n, seconds: rawSeconds },
    { label: 'importContacts (parse, validate, stage, merge, write)', rows: n, seconds: importSeconds },
  ]);
  await b.close();
}
