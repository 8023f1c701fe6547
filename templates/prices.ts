/**
 * Prices per billed part, by channel and carrier, versioned: each version states from when it applies
 * (`effective_from`), and a message is priced by the version in effect when it was SENT, so a price change
 * never reprices earlier sends. Amounts are in the workspace currency, at most 6 decimals (kept as integer
 * millionths so sums are exact).
 */
import { workspaceSettings } from '../access/workspaces.ts';
import { now } from '../common/clock.ts';
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export interface PriceRule {
  channel: string;
  /** null: every carrier of the channel. */
  carrier: string | null;
  per_part: number;
}

export interface PriceSpec {
  currency: string;
  default_per_part: number;
  rules: PriceRule[];
  /** ISO 8601 (UTC): sends at or after this instant use this version, until a later version takes effect. */
  effective_from: string;
}

export type PriceVersion = PriceSpec & { version: number; changed_at: string; changed_by: string };

export interface PriceInput {
  currency?: string;
  default_per_part: number;
  rules?: { channel: string; carrier?: string | null; per_part: number }[];
  effective_from?: string;
}

const ID = 'prices';
const MAX_RULES = 200;
const MAX_PER_PART = 1000;
const store = (wh: Warehouse) => new MetadataStore<PriceSpec>(wh, 'prices');

const asVersion = (r: MetadataRecord<PriceSpec>): PriceVersion => ({ ...r.spec, version: r.version, changed_at: r.changed_at, changed_by: r.changed_by });

/** An amount as integer millionths of the currency unit; refuses negatives, huge values and finer fractions. */
export function toMicros(amount: number, path: string): number {
  const micros = Math.round(amount * 1e6);
  if (!Number.isFinite(amount) || amount < 0 || amount > MAX_PER_PART) throw errors.invalid(path, `must be 0-${MAX_PER_PART}`);
  if (Math.abs(amount * 1e6 - micros) > 1e-6) throw errors.invalid(path, 'has at most 6 decimals');
  return micros;
}

/** Every stored version, oldest first (their effective_from never decreases). */
export async function priceVersions(wh: Warehouse, workspaceId: string): Promise<PriceVersion[]> {
  return (await store(wh).history(workspaceId, ID)).map(asVersion);
}

/** The version in effect at `atMs`: the newest whose effective_from has come; undefined before the first. */
export function versionAt(versions: readonly PriceVersion[], atMs: number): PriceVersion | undefined {
  return versions.findLast((v) => Date.parse(v.effective_from) <= atMs);
}

/** Checks and stores a new version; effective_from defaults to now and may not precede the newest version's. */
export async function savePrices(wh: Warehouse, workspaceId: string, input: PriceInput, changedBy: string): Promise<PriceVersion> {
  const { currency } = await workspaceSettings(wh, workspaceId);
  if (input.currency !== undefined && input.currency !== currency)
    throw errors.invalid('currency', `must be the workspace currency ${currency} (change it with PUT /v1/workspace)`);
  toMicros(input.default_per_part, 'default_per_part');
  const seen = new Set<string>();
  const rules = (input.rules ?? []).map((r, i) => {
    const channel = r.channel.trim();
    const carrier = r.carrier?.trim() || null;
    if (!channel) throw errors.invalid(`rules[${i}].channel`, 'must not be blank');
    toMicros(r.per_part, `rules[${i}].per_part`);
    const key = JSON.stringify([channel, carrier]);
    if (seen.has(key)) throw errors.invalid(`rules[${i}]`, `repeats the rule for channel ${channel}${carrier ? ` and carrier ${carrier}` : ''}`);
    seen.add(key);
    return { channel, carrier, per_part: r.per_part };
  });
  if (rules.length > MAX_RULES) throw errors.invalid('rules', `at most ${MAX_RULES} rules`);
  const fromMs = input.effective_from === undefined ? now() : Date.parse(input.effective_from);
  if (Number.isNaN(fromMs)) throw errors.invalid('effective_from', 'must be an ISO 8601 instant');
  const spec: PriceSpec = { currency, default_per_part: input.default_per_part, rules, effective_from: new Date(fromMs).toISOString() };
  // Checked against the newest version under the object's lock, so two changes cannot pass each other.
  const saved = await store(wh).update(workspaceId, ID, changedBy, (latest) => {
    if (latest && fromMs < Date.parse(latest.spec.effective_from))
      throw errors.invalid('effective_from', `must not precede the newest version's (${latest.spec.effective_from}): sends already priced stay priced`);
    return { name: 'prices', spec };
  });
  return asVersion(saved!);
}
