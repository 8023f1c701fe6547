/**
 * Contact profiles. A post merges the given fields over the stored profile (absent fields keep their
 * value) and writes a new version; the newest version wins. Opting out suppresses the number.
 */
import { Compile } from 'typebox/compile';
import { sql } from '../warehouse/sql-files.ts';
import { formatTs, nextVersion, parseTs } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { ContactSchema, type ContactInput, type ContactRow } from './contact-schema.ts';
import { UnparsableItem, type Rejection } from '../common/list-items.ts';
import { normalizePhone } from '../common/phone.ts';
import { bareRecord } from '../common/lookup.ts';
import { describeSchemaErrors, illFormedStringError } from '../common/schema-errors.ts';
import { suppress } from './suppressions.ts';

const checkContact = Compile(ContactSchema);

export interface UpsertResult {
  created: number;
  updated: number;
  rejected: Rejection[];
}

const toTs = (v: string | number) => formatTs(typeof v === 'number' ? v : Date.parse(v));

function emptyRow(workspaceId: string, userId: string): ContactRow {
  return {
    workspace_id: workspaceId,
    user_id: userId,
    phone: '',
    name: '',
    gender: '',
    birthday: null,
    city: '',
    region: '',
    signup_at: null,
    vip_level: 0,
    consent: 'unknown',
    consent_at: null,
    attributes: {},
    updated_at: '',
  };
}

/** The stored row with the posted fields laid over it. */
function merge(base: ContactRow, input: ContactInput, phone: string | undefined): ContactRow {
  // Prototype-less, so an attribute named __proto__ is stored like any other.
  const row: ContactRow = { ...base, attributes: Object.assign(bareRecord<string>(), base.attributes) };
  if (phone !== undefined) row.phone = phone;
  if (input.name !== undefined) row.name = input.name;
  if (input.gender !== undefined) row.gender = input.gender;
  if (input.birthday !== undefined) row.birthday = input.birthday;
  if (input.city !== undefined) row.city = input.city;
  if (input.region !== undefined) row.region = input.region;
  if (input.signup_at !== undefined) row.signup_at = toTs(input.signup_at);
  if (input.vip_level !== undefined) row.vip_level = input.vip_level;
  if (input.consent !== undefined) row.consent = input.consent;
  if (input.consent_at !== undefined) row.consent_at = toTs(input.consent_at);
  for (const [k, v] of Object.entries(input.attributes ?? {})) row.attributes[k] = String(v);
  return row;
}

/** Stored profiles of these users, newest version each. */
export async function findContacts(wh: Warehouse, workspaceId: string, userIds: readonly string[]): Promise<ContactRow[]> {
  if (userIds.length === 0) return [];
  return wh.query<ContactRow>(sql('contacts/by-user-ids'), { workspace: workspaceId, user_ids: userIds });
}

/**
 * Merges are read-modify-write, so two at once could each miss the other's fields: within this process
 * they run one after another per workspace. (Writers in several processes would need a shared lock.)
 */
const mergeQueues = new Map<string, Promise<unknown>>();

function serialized<T>(workspaceId: string, fn: () => Promise<T>): Promise<T> {
  const previous = mergeQueues.get(workspaceId) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  mergeQueues.set(workspaceId, tail);
  void tail.then(() => mergeQueues.get(workspaceId) === tail && mergeQueues.delete(workspaceId));
  return run;
}

/** Validates and merges contacts into their stored profiles; returns what was created, updated and refused. */
export function upsertContacts(wh: Warehouse, workspaceId: string, items: readonly unknown[]): Promise<UpsertResult> {
  return serialized(workspaceId, () => mergeContacts(wh, workspaceId, items));
}

async function mergeContacts(wh: Warehouse, workspaceId: string, items: readonly unknown[]): Promise<UpsertResult> {
  const rejected: Rejection[] = [];
  const valid = new Map<string, { input: ContactInput; phone?: string }[]>();
  items.forEach((item, index) => {
    if (item instanceof UnparsableItem) return void rejected.push({ index, error: { message: item.reason } });
    const illFormed = illFormedStringError(item);
    if (illFormed) return void rejected.push({ index, error: illFormed });
    if (!checkContact.Check(item)) return void rejected.push({ index, error: describeSchemaErrors([...checkContact.Errors(item)]) });
    const input = item as ContactInput;
    let phone: string | undefined;
    if (input.phone !== undefined) {
      const normalized = input.phone === '' ? '' : normalizePhone(input.phone);
      if (normalized === null) return void rejected.push({ index, error: { field: 'phone', message: 'phone: is not a valid mobile number' } });
      phone = normalized;
    }
    const list = valid.get(input.user_id) ?? [];
    list.push({ input, phone });
    valid.set(input.user_id, list);
  });

  const stored = new Map((await findContacts(wh, workspaceId, [...valid.keys()])).map((r) => [r.user_id, r]));
  const rows: ContactRow[] = [];
  const optedOut: ContactRow[] = [];
  for (const [userId, posts] of valid) {
    const before = stored.get(userId);
    // Later posts of the same user in one body apply after earlier ones.
    let row = before ?? emptyRow(workspaceId, userId);
    for (const { input, phone } of posts) row = merge(row, input, phone);
    // updated_at decides which version wins, so it must move forward even within one millisecond.
    const after = before ? parseTs(before.updated_at) + 1 : 0;
    row.updated_at = formatTs(Math.max(Math.floor(nextVersion() / 1000), after));
    rows.push(row);
    if (row.consent === 'opted_out' && before?.consent !== 'opted_out') optedOut.push(row);
  }
  await wh.insert('contacts', rows);
  await suppress(
    wh,
    workspaceId,
    optedOut.map((r) => ({ reason: 'unsubscribe', phone: r.phone, user_id: r.user_id, source: 'contact', note: 'consent opted_out' })),
  );
  return { created: rows.filter((r) => !stored.has(r.user_id)).length, updated: rows.filter((r) => stored.has(r.user_id)).length, rejected };
}

/** Up to `limit` contacts in user_id order after the user_id `after` (keyset pagination). */
export function listContacts(wh: Warehouse, workspaceId: string, limit: number, after: string): Promise<ContactRow[]> {
  return wh.query<ContactRow>(sql('contacts/page'), { workspace: workspaceId, after, limit });
}
