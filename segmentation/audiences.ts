/**
 * Audiences: immutable snapshots of a segment, versioned. Materializing stores every matching contact
 * with the reason it is excluded, if any: suppression (unsubscribed, complained, blacklisted, invalid,
 * opted out) always applies; the 3-7-15 new-user rule and the weekly frequency cap apply when asked.
 * The audience of segment S has the id S.
 */
import { contactSql } from '../ingest/contact-sql.ts';
import { processLocks } from '../warehouse/keyed-mutex.ts';
import { isVersionConflict, MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { sql } from '../warehouse/sql-files.ts';
import { claimNextVersion } from '../warehouse/version-claims.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Segment } from './segments.ts';
import { compiledRuleOf } from './segments.ts';

export interface Eligibility {
  /** Weekly cap on accepted sends (calendar week from Monday, workspace time zone). */
  frequency_cap?: boolean | { per_week?: number; vip_per_week?: number; vip_min_level?: number };
  /**
   * The 3-7-15 rule: promotions wait 15 days after sign-up; service messages wait 3 days, and within the
   * first 7 days a user who already got a message gets no other.
   */
  new_user_rule?: boolean;
  message_kind?: 'promotion' | 'service';
  /** Reported with exports, for the sending side: local send window and whether only workdays. */
  send_window?: { start: string; end: string; workdays_only?: boolean };
}

export interface AudienceSpec {
  /** The snapshot's version (the metadata record also versions deletions). */
  version: number;
  segment_id: string;
  segment_version: number;
  eligibility: Eligibility;
  timezone: string;
  materialized_at: string;
  size: number;
  matched: number;
  excluded: Record<string, number>;
  deleted_versions?: number[];
}

export type Audience = MetadataRecord<AudienceSpec>;

const store = (wh: Warehouse) => new MetadataStore<AudienceSpec>(wh, 'audiences');

export const DEFAULT_CAP = { per_week: 2, vip_per_week: 4, vip_min_level: 1 };
const NEW_USER_DAYS = { promotion: 15, service: 3 } as const;

/**
 * Snapshots the segment into a new audience version. Materializations of one segment run one at a
 * time in this process, and each claims its own snapshot number, so two runs never share a version.
 */
export async function materializeAudience(
  wh: Warehouse,
  workspaceId: string,
  segment: Segment,
  eligibility: Eligibility,
  opts: { nowMs: number; timezone: string; changedBy: string },
): Promise<Audience> {
  const lockKey = JSON.stringify(['materialize', wh.config.url ?? 'embedded', wh.database, workspaceId, segment.id]);
  return processLocks.run(lockKey, async () => {
    const previous = await store(wh).get(workspaceId, segment.id);
    const version = await claimNextVersion(wh, { type: 'audience_snapshot', workspace: workspaceId, id: segment.id }, previous?.spec.version ?? 0);
    const { expression, params } = await compiledRuleOf(wh, segment.spec.rule, workspaceId, opts.nowMs, opts.timezone);
    const cap = eligibility.frequency_cap
      ? { ...DEFAULT_CAP, ...(typeof eligibility.frequency_cap === 'object' ? eligibility.frequency_cap : {}) }
      : DEFAULT_CAP;
    await wh.command(contactSql('audiences/materialize', { rule: expression }), {
      ...params,
      audience: segment.id,
      version,
      new_user_days: eligibility.new_user_rule ? NEW_USER_DAYS[eligibility.message_kind ?? 'promotion'] : 0,
      service_rule: eligibility.new_user_rule && eligibility.message_kind === 'service' ? 1 : 0,
      frequency_cap: eligibility.frequency_cap ? 1 : 0,
      per_week: cap.per_week,
      vip_per_week: cap.vip_per_week,
      vip_min_level: cap.vip_min_level,
    });
    const counts = await wh.query<{ excluded: string; n: string }>(sql('audiences/exclusions'), { workspace: workspaceId, audience: segment.id, version });
    const excluded: Record<string, number> = { suppressed: 0, no_phone: 0, new_user_rule: 0, frequency_cap: 0 };
    let size = 0;
    for (const c of counts) {
      if (c.excluded === '') size = Number(c.n);
      else excluded[c.excluded] = Number(c.n);
    }
    const matched = size + Object.values(excluded).reduce((a, b) => a + b, 0);
    const spec = {
      version,
      segment_id: segment.id,
      segment_version: segment.version,
      eligibility,
      timezone: opts.timezone,
      materialized_at: new Date(opts.nowMs).toISOString(),
      size,
      matched,
      excluded,
    };
    // The snapshot is fresh, not an edit of what was read: when another process wrote the record
    // meanwhile, write it again on top (deleted_versions are taken from the newest record).
    for (let attempt = 0; ; attempt++) {
      try {
        const saved = await store(wh).update(workspaceId, segment.id, opts.changedBy, (current) => ({
          name: segment.name,
          spec: { ...spec, deleted_versions: current?.spec.deleted_versions },
        }));
        return saved!;
      } catch (err) {
        if (!isVersionConflict(err) || attempt >= 4) throw err;
      }
    }
  });
}

export const getAudience = (wh: Warehouse, workspaceId: string, id: string) => store(wh).get(workspaceId, id);

/** The workspace's audiences (newest record of each), a page at a time in id order. */
export const listAudiences = (wh: Warehouse, workspaceId: string, limit: number, after: string) => store(wh).list(workspaceId, limit, after);

/**
 * Records a snapshot whose members another module wrote under `spec.version` (an experiment's variant
 * audience, whose members its allocation wrote): a new version of the audience record.
 */
export function recordAudienceSnapshot(
  wh: Warehouse,
  workspaceId: string,
  audience: { id: string; name: string; spec: AudienceSpec; changedBy: string },
): Promise<Audience> {
  return store(wh).save(workspaceId, audience);
}

/** Every snapshot of an audience that has not been deleted, oldest first. */
export async function audienceVersions(wh: Warehouse, workspaceId: string, id: string): Promise<AudienceSpec[]> {
  const history = await store(wh).history(workspaceId, id);
  const deleted = new Set(history.at(-1)?.spec.deleted_versions ?? []);
  const byVersion = new Map<number, AudienceSpec>();
  for (const h of history) if (!deleted.has(h.spec.version)) byVersion.set(h.spec.version, h.spec);
  return [...byVersion.values()];
}

/** Deletes one version's members; the version's record stays, marked deleted. */
export async function deleteAudienceVersion(wh: Warehouse, workspaceId: string, audience: Audience, version: number, changedBy: string): Promise<void> {
  await wh.command(sql('audiences/delete-version'), { workspace: workspaceId, audience: audience.id, version });
  // Read-modify-write under the object's lock: two deletions at once must both be kept.
  await store(wh).update(workspaceId, audience.id, changedBy, (current) => {
    const base = current ?? audience;
    return { name: base.name, spec: { ...base.spec, deleted_versions: [...new Set([...(base.spec.deleted_versions ?? []), version])] } };
  });
}
