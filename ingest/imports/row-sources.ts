/** Turns a TXT, CSV or XLSX byte stream into records (field name → cell) with their line numbers. */
import { parse } from 'csv-parse';
import { bareRecord } from '../../common/lookup.ts';
import ExcelJS from 'exceljs';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { errors } from '../../common/errors.ts';

export type Cell = string | number | boolean | Date | null;

export interface ImportRecord {
  /** 1-based line of a text file, or row of a sheet. */
  line: number;
  values: Record<string, Cell>;
}

/** One number per line; blank lines are skipped (they still count for line numbers). */
export async function* txtRecords(text: Readable): AsyncGenerator<ImportRecord> {
  let line = 0;
  for await (const raw of readline.createInterface({ input: text, crlfDelay: Infinity })) {
    line++;
    const value = raw.trim();
    if (value) yield { line, values: { phone: value } };
  }
}

/**
 * A row as header → value. Built without a prototype: a column named `__proto__` or `constructor` is
 * an ordinary column (an attribute), not a way to reach Object's internals.
 */
function recordOf<V>(header: readonly string[], values: readonly (V | undefined)[]): Record<string, V> {
  const record = bareRecord<V>();
  header.forEach((column, i) => {
    if (column && values[i] !== undefined && !Object.hasOwn(record, column)) record[column] = values[i]!;
  });
  return record;
}

/** A header row, then one record per row; the delimiter is guessed from the header (, ; or tab). */
export async function* csvRecords(text: Readable, firstLine: string): AsyncGenerator<ImportRecord> {
  const delimiter = [',', ';', '\t'].sort((a, b) => firstLine.split(b).length - firstLine.split(a).length)[0];
  const parser = text.pipe(parse({ delimiter, skip_empty_lines: true, relax_column_count: true, trim: true, bom: true, info: true }));
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = record;
      continue;
    }
    yield { line: info.lines, values: recordOf(header, record) };
  }
}

function cellValue(cell: ExcelJS.CellValue): Cell {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'string' || typeof cell === 'number' || typeof cell === 'boolean' || cell instanceof Date) return cell;
  if (typeof cell === 'object') {
    if ('richText' in cell) return cell.richText.map((r) => r.text).join('');
    if ('result' in cell) return cellValue(cell.result as ExcelJS.CellValue);
    if ('text' in cell) return String(cell.text);
    if ('error' in cell) return null;
  }
  return String(cell);
}

/**
 * The first sheet (or the one named), read as a stream: the first non-empty row is the header, each
 * later non-empty row a record. Numeric cells stay numbers, so phones stored as numbers can be
 * recovered exactly (or refused) later.
 */
export async function* xlsxRecords(bytes: Readable, sheetName?: string): AsyncGenerator<ImportRecord> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(bytes, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  let sheetsSeen = 0;
  for await (const sheet of reader) {
    sheetsSeen++;
    const name = (sheet as unknown as { name?: string }).name;
    if (sheetName ? name !== sheetName : sheetsSeen > 1) continue;
    let header: string[] | undefined;
    for await (const row of sheet) {
      const values = (row.values as ExcelJS.CellValue[]).map(cellValue);
      if (!header) {
        header = values.map((v) => (v === null ? '' : String(v)));
        continue;
      }
      const record = recordOf(header, values);
      if (Object.values(record).some((v) => v !== null && v !== '')) yield { line: row.number, values: record };
    }
    if (!header) throw errors.importRefused(`sheet ${name ?? 1} is empty: the first row must name the columns`);
    return;
  }
  throw errors.importRefused(sheetName ? `the workbook has no sheet named ${JSON.stringify(sheetName)}` : 'the workbook has no sheet');
}
