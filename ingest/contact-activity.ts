/**
 * What the contact page shows beside a profile: the suppression entries that hold the contact, and its
 * newest events (bounded by a look-back and a count, so one lookup never reads the whole history).
 */
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs, isoFromTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { ContactRow } from './contact-schema.ts';

export interface Suppression {
  reason: string;
  source: string;
  created_at: string;
}

export interface TimelineEvent {
  event_id: string;
  type: string;
  ts: string;
  campaign_id: string;
  template_id: string;
  channel: string;
  carrier: string;
  status: string;
  error_code: string;
  revenue: number;
  experiment_id: string;
  variant: string;
  properties: Record<string, string>;
}

/** The newest profile with this normalised phone number, if any. */
export async function findContactByPhone(wh: Warehouse, workspaceId: string, phone: string): Promise<ContactRow | undefined> {
  const [row] = await wh.query<ContactRow>(sql('contacts/by-phone'), workspaceParams(workspaceId, { phone }));
  return row;
}

/** Suppression entries of the contact (by user id or phone) and its events of the last `days`, newest first, at most `limit`. */
export async function contactActivity(
  wh: Warehouse,
  workspaceId: string,
  contact: { user_id: string; phone: string },
  opts: { nowMs: number; days: number; limit: number },
): Promise<{ suppressions: Suppression[]; events: TimelineEvent[] }> {
  const who = { user_id: contact.user_id, phone: contact.phone };
  const from = formatTs(opts.nowMs - opts.days * 86_400_000);
  const [suppressions, events] = await Promise.all([
    wh.query<Suppression>(sql('contacts/suppressions'), workspaceParams(workspaceId, who)),
    wh.query<TimelineEvent>(sql('contacts/timeline'), workspaceParams(workspaceId, { ...who, from, limit: opts.limit })),
  ]);
  return {
    suppressions: suppressions.map((s) => ({ ...s, created_at: isoFromTs(s.created_at) })),
    events: events.map((e) => ({ ...e, ts: isoFromTs(e.ts), revenue: Number(e.revenue) })),
  };
}
