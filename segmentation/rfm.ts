/**
 * RFM: recency, frequency and monetary value per recipient over a window of events (conversions by
 * default), each scored 1-5 by quintile, and named by the R × FM grid:
 *
 *   R \ FM     1              2                    3                    4          5
 *   1          lost           hibernating          at_risk              at_risk    cannot_lose
 *   2          hibernating    hibernating          at_risk              at_risk    cannot_lose
 *   3          about_to_sleep about_to_sleep       need_attention       loyal      loyal
 *   4          promising      potential_loyalists  potential_loyalists  loyal      loyal
 *   5          new            potential_loyalists  potential_loyalists  champions  champions
 *
 * FM = round-half-up((F + M) / 2). Scores: score = 1 + ⌊5 · (recipients strictly worse) / recipients⌋,
 * so tied recipients share a score (ties never split across quintiles). Recipients without the event in
 * the window get no score, and rfm rules are false for them.
 */
import crypto from 'node:crypto';
import { formatTs } from '../warehouse/time.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export interface RfmSummary {
  run_id: string;
  computed_at: string;
  window_days: number;
  event: string;
  users: number;
  segments: Record<string, number>;
}

export async function latestRfm(wh: Warehouse, workspaceId: string): Promise<RfmSummary | undefined> {
  const rows = await wh.query<{ run_id: string; computed_at: string; window_days: number; event: string; segment: string; users: string }>(
    sql('rfm/summary'),
    workspaceParams(workspaceId),
  );
  if (!rows.length) return undefined;
  const segments: Record<string, number> = {};
  for (const r of rows) segments[r.segment] = Number(r.users);
  return {
    run_id: rows[0]!.run_id,
    computed_at: new Date(`${rows[0]!.computed_at.replace(' ', 'T')}Z`).toISOString(),
    window_days: Number(rows[0]!.window_days),
    event: rows[0]!.event,
    users: Object.values(segments).reduce((a, b) => a + b, 0),
    segments,
  };
}

/** Scores every recipient with the event in the window and returns the segment sizes. */
export async function computeRfm(wh: Warehouse, workspaceId: string, opts: { windowDays: number; event: string; nowMs: number }): Promise<RfmSummary> {
  const run = `${new Date(opts.nowMs).toISOString()}_${crypto.randomUUID().slice(0, 8)}`;
  await wh.command(sql('rfm/compute'), workspaceParams(workspaceId, { run, now: formatTs(opts.nowMs), window: opts.windowDays, event: opts.event }));
  return (
    (await latestRfm(wh, workspaceId)) ?? {
      run_id: run,
      computed_at: new Date(opts.nowMs).toISOString(),
      window_days: opts.windowDays,
      event: opts.event,
      users: 0,
      segments: {},
    }
  );
}
