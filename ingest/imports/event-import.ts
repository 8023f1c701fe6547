/**
 * NDJSON event files, through the same validation and deduplication as POST /v1/events: the lines are read,
 * parsed and batched here, and each batch goes to a writer (the event store in this process, or a server's
 * POST /v1/events), so the report is the same either way.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Rejection } from '../../common/list-items.ts';

export interface EventImportReport {
  lines: number;
  accepted: number;
  rejected: { count: number; lines: { line: number; reason: string }[] };
}

/** Stores a batch of parsed events and says which were refused (by index in the batch). */
export type EventBatchWriter = (items: unknown[]) => Promise<{ accepted: number; rejected: readonly Rejection[] }>;

/** Events per batch (at most a server's MAX_EVENTS_PER_REQUEST default). */
const BATCH = 5000;
const MAX_LISTED = 1000;

export async function importEventFile(input: Readable, write: EventBatchWriter, onProgress?: (lines: number) => void): Promise<EventImportReport> {
  const report: EventImportReport = { lines: 0, accepted: 0, rejected: { count: 0, lines: [] } };
  let items: unknown[] = [];
  let lineOf: number[] = [];
  /** Lines of this batch that are not JSON: refused here, listed in line order with the writer's refusals. */
  let unparsable: number[] = [];
  const flush = async () => {
    if (!items.length && !unparsable.length) return;
    const result = items.length ? await write(items) : { accepted: 0, rejected: [] };
    report.accepted += result.accepted;
    const refused = [
      ...unparsable.map((line) => ({ line, reason: 'not valid JSON' })),
      ...result.rejected.map((r) => ({ line: lineOf[r.index]!, reason: r.error.message })),
    ].sort((a, b) => a.line - b.line);
    for (const r of refused) if (++report.rejected.count <= MAX_LISTED) report.rejected.lines.push(r);
    items = [];
    lineOf = [];
    unparsable = [];
    onProgress?.(report.lines);
  };
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    report.lines++;
    if (!line.trim()) continue;
    try {
      items.push(JSON.parse(line));
      lineOf.push(report.lines);
    } catch {
      unparsable.push(report.lines);
    }
    if (items.length + unparsable.length >= BATCH) await flush();
  }
  await flush();
  return report;
}
