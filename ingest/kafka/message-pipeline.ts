/**
 * What happens to one Kafka message, without Kafka: parse, find the workspace, validate.
 * The result is a row to store or a dead letter with its reason; only the worker knows topics.
 */
import { WORKSPACE_ID } from '../../access/workspaces.ts';
import type { EventRow } from '../event-schema.ts';
import { validateEvent } from '../event-validation.ts';

/** Header naming the workspace an event belongs to (set by the API's producer or the sending system). */
export const WORKSPACE_HEADER = 'workspace_id';

export type MessageResult = { kind: 'row'; row: EventRow } | { kind: 'dead_letter'; reason: string };

type Headers = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

function headerText(headers: Headers, name: string): string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? undefined : value.toString();
}

export function processEventMessage(value: Buffer | null, headers: Headers, nowMs = Date.now()): MessageResult {
  const workspaceId = headerText(headers, WORKSPACE_HEADER);
  if (!workspaceId) return { kind: 'dead_letter', reason: `missing ${WORKSPACE_HEADER} header` };
  if (!WORKSPACE_ID.test(workspaceId)) return { kind: 'dead_letter', reason: `invalid ${WORKSPACE_HEADER} header` };
  if (!value || value.length === 0) return { kind: 'dead_letter', reason: 'empty message' };
  let event: unknown;
  try {
    event = JSON.parse(value.toString('utf8'));
  } catch {
    return { kind: 'dead_letter', reason: 'not valid JSON' };
  }
  const result = validateEvent(workspaceId, event, nowMs);
  return result.ok ? { kind: 'row', row: result.row } : { kind: 'dead_letter', reason: result.error.message };
}
