/**
 * Imports of 500,000 numbers (the seeds' limit), as TXT and as an XLSX sheet, keep the live JS heap
 * flat: the peak during a 500k import is within a small margin of the peak during a 100k import.
 * Live heap is read after a forced GC (npm test runs node with --expose-gc), so garbage not yet
 * collected does not count; the embedded engine's native memory is not ours to bound here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { importContacts } from '../../ingest/imports/contact-import.ts';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { dropTestDatabase, openTestWarehouse } from '../helpers/warehouse.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsp-import-'));
const limits = { maxRows: 500_000, maxBytes: 1024 * 1024 * 1024 };
const phone = (i: number) => `13${String(100_000_000 + i * 7).padStart(9, '0')}`;

function txtLines(n: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      const out: string[] = [];
      for (let k = 0; k < 5000 && i < n; k++, i++) out.push(phone(i));
      this.push(out.length ? `${out.join('\n')}\n` : null);
    },
  });
}

async function writeXlsx(n: number): Promise<string> {
  const file = path.join(dir, `sheet-${n}.xlsx`);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('numbers');
  sheet.addRow(['手机号', '姓名']).commit();
  // Half the phones as numeric cells, half as text, as real sheets mix them.
  for (let i = 0; i < n; i++) sheet.addRow([i % 2 ? Number(phone(i)) : phone(i), `用户${i % 1000}`]).commit();
  await sheet.commit();
  await workbook.commit();
  return file;
}

/** Runs fn and returns the peak live heap above the starting point, sampled every 250 ms after a GC. */
async function peakLiveHeap(fn: () => Promise<unknown>): Promise<number> {
  gc!();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const timer = setInterval(() => {
    gc!();
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  }, 250);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return peak;
}

describe('500,000-number imports with flat memory', () => {
  let wh: Warehouse;
  before(async () => {
    assert.ok(gc, 'run with --expose-gc (npm test does)');
    wh = await openTestWarehouse('import_memory');
  });
  after(async () => {
    await dropTestDatabase(wh);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = async (ws: string) =>
    Number((await wh.query<{ n: string }>('SELECT count() AS n FROM contacts FINAL WHERE workspace_id = {ws:String}', { ws }))[0]!.n);

  it('TXT', async () => {
    const small = await peakLiveHeap(() => importContacts(wh, 'mem_txt_small', txtLines(100_000), limits));
    let report: Awaited<ReturnType<typeof importContacts>> | undefined;
    const large = await peakLiveHeap(async () => (report = await importContacts(wh, 'mem_txt_large', txtLines(500_000), limits)));
    assert.equal(report!.imported, 500_000);
    assert.equal(await count('mem_txt_large'), 500_000);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    assert.ok(large < small + 32e6 && large < 100e6, `peak live heap: 100k ${mb(small)}, 500k ${mb(large)}`);
  });

  it('XLSX', async () => {
    const smallFile = await writeXlsx(100_000);
    const largeFile = await writeXlsx(500_000);
    const small = await peakLiveHeap(() => importContacts(wh, 'mem_xlsx_small', fs.createReadStream(smallFile), limits));
    let report: Awaited<ReturnType<typeof importContacts>> | undefined;
    const large = await peakLiveHeap(async () => (report = await importContacts(wh, 'mem_xlsx_large', fs.createReadStream(largeFile), limits)));
    assert.deepEqual([report!.imported, report!.invalid.count], [500_000, 0]);
    assert.equal(await count('mem_xlsx_large'), 500_000);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    assert.ok(large < small + 32e6 && large < 100e6, `peak live heap: 100k ${mb(small)}, 500k ${mb(large)}`);
  });
});
