/**
 * Validates one incoming event and turns it into a warehouse row. Used by every way in
 * (HTTP, Kafka workers, file import), so an event is accepted or refused the same everywhere.
 */
import { Compile } from 'typebox/compile';
import { formatTs } from '../warehouse/time.ts';
import { EventSchema, type EventInput, type EventRow } from './event-schema.ts';
import { normalizePhone } from '../common/phone.ts';
import { bareRecord } from '../common/lookup.ts';
import { describeSchemaErrors, illFormedStringError, type FieldError } from '../common/schema-errors.ts';

export type EventValidation = { ok: true; row: EventRow } | { ok: false; error: FieldError };

const checkEvent = Compile(EventSchema);

/** Events further in the future than this are clock errors, not events. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const TS_FORMAT = 'must be an ISO 8601 time with an offset or Z, or milliseconds since the epoch';
const OFFSET_SUFFIX = /(Z|[+-]\d{2}:?\d{2})$/i;

const fail = (field: string, message: string): EventValidation => ({ ok: false, error: { field, message: `${field}: ${message}` } });

function parseEventTime(ts: string | number): number | string {
  if (typeof ts === 'string' && !OFFSET_SUFFIX.test(ts)) return 'must carry a time zone offset or Z';
  const ms = typeof ts === 'number' ? ts : Date.parse(ts);
  if (!Number.isFinite(ms)) return 'is not a valid time';
  return ms;
}

/** Rules the JSON schema cannot say: which type needs which field, and consistent values. */
function semanticError(event: EventInput, nowMs: number): EventValidation | undefined {
  const { type, status } = event;
  if (!event.user_id && !event.phone) return fail('user_id', 'an event needs a user_id or a phone');
  if (type === 'delivery' && status !== 'delivered' && status !== 'failed') return fail('status', 'a delivery needs status delivered or failed');
  if (type === 'send' && status !== undefined && status !== 'accepted' && status !== 'rejected')
    return fail('status', 'a send has status accepted or rejected');
  if (status !== undefined && type !== 'send' && type !== 'delivery') return fail('status', `is only allowed on send and delivery events, not ${type}`);
  if (event.revenue !== undefined && type !== 'conversion') return fail('revenue', `is only allowed on conversion events, not ${type}`);
  if (type === 'exposure' && (!event.experiment_id || !event.variant)) return fail('experiment_id', 'an exposure needs experiment_id and variant');
  if (event.variant && !event.experiment_id) return fail('experiment_id', 'is required when variant is set');
  const ms = parseEventTime(event.ts);
  if (typeof ms === 'string') return fail('ts', ms);
  if (ms < EARLIEST_MS) return fail('ts', 'is before 2000-01-01');
  if (ms > nowMs + MAX_FUTURE_MS) return fail('ts', 'is more than 24 hours in the future');
  return undefined;
}

function toRow(workspaceId: string, event: EventInput, phone: string): EventRow {
  const properties = bareRecord<string>();
  for (const [k, v] of Object.entries(event.properties ?? {})) properties[k] = String(v);
  return {
    workspace_id: workspaceId,
    event_id: event.event_id,
    type: event.type,
    ts: formatTs(parseEventTime(event.ts) as number),
    user_id: event.user_id ?? '',
    phone,
    campaign_id: event.campaign_id ?? '',
    template_id: event.template_id ?? '',
    message_id: event.message_id ?? '',
    channel: event.channel ?? '',
    carrier: event.carrier ?? '',
    region: event.region ?? '',
    // A send without a status is one the gateway accepted.
    status: event.status ?? (event.type === 'send' ? 'accepted' : ''),
    error_code: event.error_code ?? '',
    // The column keeps 4 decimals; rounding here makes what is stored what the sender is told.
    revenue: Math.round((event.revenue ?? 0) * 1e4) / 1e4,
    experiment_id: event.experiment_id ?? '',
    variant: event.variant ?? '',
    properties,
  };
}

/** Checks one event; on success returns the row to store for `workspaceId`. */
export function validateEvent(workspaceId: string, input: unknown, nowMs = Date.now()): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: { message: 'an event must be a JSON object' } };
  const illFormed = illFormedStringError(input);
  if (illFormed) return { ok: false, error: illFormed };
  if (!checkEvent.Check(input)) {
    const error = describeSchemaErrors([...checkEvent.Errors(input)]);
    // "wrong type or format" says too little about the one field every sender gets wrong.
    if (error.field === 'ts' && !/required/.test(error.message)) error.message = `ts: ${TS_FORMAT}`;
    return { ok: false, error };
  }
  const event = input as EventInput;
  const problem = semanticError(event, nowMs);
  if (problem) return problem;
  let phone = '';
  if (event.phone) {
    const normalized = normalizePhone(event.phone);
    if (!normalized) return fail('phone', 'is not a valid mobile number');
    phone = normalized;
  }
  return { ok: true, row: toRow(workspaceId, event, phone) };
}
