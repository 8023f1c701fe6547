/** NDJSON event files, through the same validation and deduplication as POST /v1/events. */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Warehouse } from '../../warehouse/warehouse.ts';
import { UnparsableItem } from '../../common/list-items.ts';
import { ingestEvents } from '../event-writer.ts';

export interface EventImportReport {
  lines: number;
  accepted: number;
  rejected: { count: number; lines: { line: number; reason: string }[] };
}

const BATCH = 5000;
const MAX_LISTED = 1000;

export async function importEventFile(wh: Warehouse, workspaceId: string, input: Readable, onProgress?: (lines: number) => void): Promise<EventImportReport> {
  const report: EventImportReport = { lines: 0, accepted: 0, rejected: { count: 0, lines: [] } };
  let items: unknown[] = [];
  let lineOf: number[] = [];
  const flush = async () => {
    if (!items.length) return;
    const result = await ingestEvents(wh, workspaceId, items);
    report.accepted += result.accepted;
    for (const r of result.rejected) {
      if (++report.rejected.count <= MAX_LISTED) report.rejected.lines.push({ line: lineOf[r.index]!, reason: r.error.message });
    }
    items = [];
    lineOf = [];
    onProgress?.(report.lines);
  };
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    report.lines++;
    if (!line.trim()) continue;
    try {
      items.push(JSON.parse(line));
    } catch {
      items.push(new UnparsableItem('not valid JSON'));
    }
    lineOf.push(report.lines);
    if (items.length >= BATCH) await flush();
  }
  await flush();
  return report;
}
