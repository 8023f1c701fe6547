/** Numbers and users that must never be sent to: unsubscribed, complained, blacklisted, invalid. */
import { formatTs, nextVersion } from '../warehouse/time.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

export const SUPPRESSION_REASONS = ['unsubscribe', 'complaint', 'blacklist', 'invalid'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface Suppression {
  reason: SuppressionReason;
  phone: string;
  user_id: string;
  source: string;
  note: string;
}

/** Lifts suppressions (e.g. a re-subscribe); a later unsubscribe or complaint suppresses again. */
export async function unsuppress(wh: Warehouse, workspaceId: string, entries: readonly Omit<Suppression, 'source' | 'note'>[]): Promise<void> {
  const now = formatTs(Date.now());
  await wh.insert(
    'suppressions',
    entries.map((e) => ({ workspace_id: workspaceId, ...e, source: 'api', note: 'lifted', created_at: now, version: nextVersion(), is_deleted: 1 })),
  );
}
