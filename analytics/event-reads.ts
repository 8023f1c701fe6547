/** Basic reads over stored events. Every read is deduplicated: a re-sent event counts once. */
import { formatTs, isoFromTs } from '../warehouse/time.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { EVENT_TYPES, type EventType } from '../ingest/event-schema.ts';

export interface StoredEvent {
  event_id: string;
  type: EventType;
  ts: string;
  user_id: string;
  phone: string;
  campaign_id: string;
  template_id: string;
  message_id: string;
  channel: string;
  carrier: string;
  region: string;
  status: string;
  error_code: string;
  revenue: number;
  experiment_id: string;
  variant: string;
  properties: Record<string, string>;
}

/**
 * One event of the workspace, or undefined (also for another workspace's event). An event is identified
 * by its type and id: without `type`, the earliest event with that id.
 */
export async function eventById(wh: Warehouse, workspaceId: string, eventId: string, type = ''): Promise<StoredEvent | undefined> {
  const [row] = await wh.query<StoredEvent>(sql('events/by-id'), workspaceParams(workspaceId, { event_id: eventId, type }));
  return row ? { ...row, ts: isoFromTs(row.ts), revenue: Number(row.revenue) } : undefined;
}

export interface EventSummary {
  from: string;
  to: string;
  /** The zone the days are cut in. */
  timezone: string;
  events: Record<EventType, number>;
  users: Record<EventType, number>;
  revenue: number;
  /** Events per local calendar day of `timezone`. */
  days: { day: string; events: Partial<Record<EventType, number>> }[];
}

/** Distinct events and users per type in [from, to), and events per local day in `timezone`. */
export async function eventSummary(wh: Warehouse, workspaceId: string, fromMs: number, toMs: number, timezone: string): Promise<EventSummary> {
  const params = workspaceParams(workspaceId, { from: formatTs(fromMs), to: formatTs(toMs), tz: timezone });
  const [rows, dayRows] = await Promise.all([
    wh.query<{ type: EventType; events: string; users: string; revenue: string }>(sql('events/summary'), params),
    wh.query<{ day: string; type: EventType; events: string }>(sql('events/by-day'), params),
  ]);
  const zero = () => Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  const days = new Map<string, Partial<Record<EventType, number>>>();
  for (const r of dayRows) days.set(r.day, { ...days.get(r.day), [r.type]: Number(r.events) });
  const summary: EventSummary = {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    timezone,
    events: zero(),
    users: zero(),
    revenue: 0,
    days: [...days].map(([day, events]) => ({ day, events })),
  };
  for (const r of rows) {
    summary.events[r.type] = Number(r.events);
    summary.users[r.type] = Number(r.users);
    summary.revenue += Number(r.revenue);
  }
  return summary;
}
