/**
 * Contact and number-list import (TXT, CSV, XLSX), streamed: records are validated line by line and
 * staged in the warehouse in batches, then merged into contacts in one pass of SQL. Memory does not
 * grow with the file; a file that is refused (too many rows, unreadable) imports nothing. Each import
 * is a job (import-jobs.ts): a crash leaves either nothing or, after the next start, everything.
 */
import crypto from 'node:crypto';
import { errors, isAppError } from '../../common/errors.ts';
import { Readable, Transform } from 'node:stream';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { applyMerged, mergeStaged, stageContacts, withContactMergeLock } from '../contact-merge.ts';
import type { StagedContact } from '../contact-schema.ts';
import { crashPointForTests, discardJob, finishJob, importOrigin, markApplying, settleUnfinishedImports, startJob, type JobKey } from './import-jobs.ts';
import { stageContact } from './contact-fields.ts';
import { checkForcedFormat, detectFormat, type ImportFormat } from './file-format.ts';
import { csvRecords, txtRecords, xlsxRecords, type ImportRecord } from './row-sources.ts';
import { chooseEncoding, decoder } from './text-decoding.ts';

export interface ImportOptions {
  /** Most data rows (lines) one import may have; more refuses the whole file. */
  maxRows: number;
  /** Most bytes one import may have. */
  maxBytes: number;
  /** Forces the format; otherwise it is detected from the content. */
  format?: ImportFormat;
  /** Sheet to read from a workbook (default: the first). */
  sheet?: string;
  /** A tag given to every imported contact (e.g. the list's name). */
  tag?: string;
  onProgress?: (progress: { rows: number; bytes: number }) => void;
}

export interface InvalidLine {
  line: number;
  reason: string;
}

export interface ImportReport {
  import_id: string;
  format: ImportFormat;
  encoding?: string;
  /** Data lines read (blank lines excluded). */
  rows: number;
  /** New contacts. */
  imported: number;
  /** Existing contacts the file changed (matched by user_id, else by phone). */
  updated: number;
  /** Lines repeating an earlier line's contact (same user_id, or same phone): the first one counts. */
  duplicates: number;
  invalid: { count: number; lines: InvalidLine[] };
}

const STAGE_BATCH = 10_000;
/** Invalid lines listed in the report; all of them are counted. */
const MAX_LISTED_INVALID = 1000;

/** Reads the first bytes without losing them: returns them and a stream that still starts with them. */
async function peek(input: Readable, size: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = input[Symbol.asyncIterator]();
  while (length < size) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield n.value as Buffer;
    })(),
  );
  return { head, stream: rest };
}

function byteCounter(maxBytes: number, onBytes: (n: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      onBytes(total);
      if (total > maxBytes) done(errors.importTooLarge(`the file is larger than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

function records(stream: Readable, format: ImportFormat, encoding: 'utf-8' | 'gb18030', firstLine: string, sheet?: string): AsyncGenerator<ImportRecord> {
  if (format === 'xlsx') return xlsxRecords(stream, sheet);
  const text = stream.pipe(decoder(encoding));
  return format === 'csv' ? csvRecords(text, firstLine) : txtRecords(text);
}

/** Imports a contact file into `workspaceId` and reports what it did. */
export async function importContacts(wh: Warehouse, workspaceId: string, input: Readable, opts: ImportOptions): Promise<ImportReport> {
  // Piped before the first await: a caller already listening to 'data' (progress) would otherwise let chunks flow past.
  let bytes = 0;
  const counted = input.pipe(byteCounter(opts.maxBytes, (n) => (bytes = n)));
  input.on('error', (err) => counted.destroy(err));
  // An earlier import cut short by a crash is completed (or discarded) before this one merges.
  await settleUnfinishedImports(wh);
  const importId = crypto.randomUUID();
  const key: JobKey = { workspace: workspaceId, import_id: importId };
  const startedAtMs = Date.now();
  const job = await startJob(wh, key, startedAtMs);
  let applying = false;
  try {
    const report = await stage(wh, key, counted, () => bytes, opts);
    // Only now, with the whole file read, is it merged; from the merge's read to its write no other
    // merge of the workspace runs in this process (see contact-merge.ts).
    return await withContactMergeLock(wh, workspaceId, async () => {
      Object.assign(report, await mergeStaged(wh, key));
      crashPointForTests('merge');
      // From here on the import is completed even if this process dies: the rows it writes carry appliedAtMs.
      const appliedAtMs = Date.now();
      await markApplying(wh, key, report, appliedAtMs, startedAtMs);
      applying = true;
      crashPointForTests('applying');
      if (report.imported + report.updated > 0) await applyMerged(wh, key, appliedAtMs, importOrigin(key), crashPointForTests);
      await finishJob(wh, key, JSON.stringify(report), appliedAtMs, startedAtMs);
      return report;
    });
  } catch (err) {
    // Before `applying` nothing left the staging tables; after it, the job is resumed, never undone.
    if (!applying) await discardJob(wh, key, startedAtMs);
    throw err;
  } finally {
    input.resume();
    job.end();
  }
}

/** Reads the whole file into the staging table; nothing outside staging is written. */
async function stage(wh: Warehouse, key: JobKey, counted: Readable, bytes: () => number, opts: ImportOptions): Promise<ImportReport> {
  const { head, stream } = await peek(counted, 64 * 1024);
  const encoding = chooseEncoding(head);
  const firstLine =
    new TextDecoder(encoding)
      .decode(head)
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0] ?? '';
  const format = opts.format ?? detectFormat(head, firstLine);
  checkForcedFormat(format, head);
  const report: ImportReport = {
    import_id: key.import_id,
    format,
    ...(format !== 'xlsx' && { encoding }),
    rows: 0,
    imported: 0,
    updated: 0,
    duplicates: 0,
    invalid: { count: 0, lines: [] },
  };
  let batch: StagedContact[] = [];
  const stageBatch = async () => {
    await stageContacts(wh, key, batch);
    batch = [];
  };
  const source = records(stream, format, encoding, firstLine, opts.sheet);
  for (;;) {
    let next: IteratorResult<ImportRecord>;
    try {
      next = await source.next();
    } catch (err) {
      if (isAppError(err)) throw err;
      // Truncated zip, broken XML, bad CSV quoting: the file is refused whole.
      throw errors.importRefused(`the file could not be read as ${format}: ${(err as Error).message}`);
    }
    if (next.done) break;
    if (++report.rows > opts.maxRows) throw errors.importTooLarge(`the file has more than ${opts.maxRows} rows; split it into smaller files`);
    const result = stageContact(next.value.values, next.value.line, opts.tag);
    if (result.ok) batch.push(result.row);
    else if (++report.invalid.count <= MAX_LISTED_INVALID) report.invalid.lines.push({ line: next.value.line, reason: result.reason });
    if (batch.length >= STAGE_BATCH) await stageBatch();
    if (report.rows % 10_000 === 0) opts.onProgress?.({ rows: report.rows, bytes: bytes() });
  }
  await stageBatch();
  opts.onProgress?.({ rows: report.rows, bytes: bytes() });
  crashPointForTests('staged');
  return report;
}
