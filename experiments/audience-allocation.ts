/**
 * Bulk allocation of an audience snapshot: every included recipient gets a variant by the same hash as
 * the assignment endpoint (computed in ClickHouse), each variant becomes an audience of its own
 * (`<experiment>.<variant>`, exported like any audience) and an exposure event is recorded per
 * recipient (holdout excluded), idempotently.
 */
import { contactSql } from '../ingest/contact-sql.ts';
import { withEventWriteLock } from '../ingest/event-store.ts';
import { processLocks } from '../warehouse/keyed-mutex.ts';
import { claimNextVersion } from '../warehouse/version-claims.ts';
import { formatTs } from '../warehouse/time.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { getAudience, recordAudienceSnapshot, type AudienceSpec } from '../segmentation/audiences.ts';
import { HOLDOUT } from './allocation.ts';
import type { Experiment } from './experiments.ts';

/** The audience snapshot that is split. */
type AllocationSource = { id: string; spec: AudienceSpec };
type AllocationOptions = { nowMs: number; changedBy: string };

export interface AllocationResult {
  experiment_id: string;
  audience_id: string;
  audience_version: number;
  counts: Record<string, number>;
  exposures: number;
  variant_audiences: Record<string, { audience_id: string; version: number }>;
}

/**
 * Splits an audience snapshot into per-variant audiences. Allocations of one experiment run one at a time
 * in this process, and each claims its own version number, so two runs never share (and mix) a version.
 */
export function allocateAudience(
  wh: Warehouse,
  workspaceId: string,
  experiment: Experiment,
  source: AllocationSource,
  opts: AllocationOptions,
): Promise<AllocationResult> {
  const lockKey = JSON.stringify(['allocate', wh.config.url ?? 'embedded', wh.database, workspaceId, experiment.id]);
  return processLocks.run(lockKey, () => allocateOnce(wh, workspaceId, experiment, source, opts));
}

async function allocateOnce(...[wh, workspaceId, experiment, source, opts]: Parameters<typeof allocateAudience>): Promise<AllocationResult> {
  const { spec } = experiment;
  const keys = spec.variants.map((v) => v.key);
  const total = spec.variants.reduce((s, v) => s + v.weight, 0);
  let acc = spec.holdout;
  const cuts = spec.variants.map((v) => (acc += ((1 - spec.holdout) * v.weight) / total));
  cuts[cuts.length - 1] = 2; // the last variant takes the rest, whatever rounding did
  const variantIds = [...keys, HOLDOUT].map((k) => `${experiment.id}.${k}`);
  // Each allocation is a new version of every variant audience, the same number for all of them.
  const previous = await Promise.all(variantIds.map((id) => getAudience(wh, workspaceId, id)));
  const newest = Math.max(0, ...previous.map((p) => p?.spec.version ?? 0));
  const targetVersion = await claimNextVersion(wh, { type: 'experiment_allocation', workspace: workspaceId, id: experiment.id }, newest);
  const params = {
    workspace: workspaceId,
    experiment: experiment.id,
    salt: spec.salt,
    holdout: spec.holdout,
    keys,
    cuts,
    audience: source.id,
    version: source.spec.version,
    target_version: targetVersion,
    now: formatTs(opts.nowMs),
    variant_audiences: variantIds.filter((id) => !id.endsWith(`.${HOLDOUT}`)),
  };
  await wh.command(contactSql('experiments/allocate-audience'), params);
  await withEventWriteLock(wh, [workspaceId], () => wh.command(sql('experiments/record-exposures'), params));
  const countRows = await wh.query<{ variant: string; n: string }>(sql('experiments/variant-counts'), { ...params, variant_audiences: variantIds });
  const counts: Record<string, number> = Object.fromEntries([...keys, HOLDOUT].map((k) => [k, 0]));
  for (const r of countRows) counts[r.variant] = Number(r.n);
  const variantAudiences: AllocationResult['variant_audiences'] = {};
  for (const key of [...keys, HOLDOUT]) {
    const id = `${experiment.id}.${key}`;
    await recordAudienceSnapshot(wh, workspaceId, {
      id,
      name: `${experiment.name}: ${key}`,
      spec: {
        ...source.spec,
        version: targetVersion,
        size: counts[key]!,
        matched: counts[key]!,
        excluded: {},
        materialized_at: new Date(opts.nowMs).toISOString(),
        deleted_versions: [],
      },
      changedBy: opts.changedBy,
    });
    variantAudiences[key] = { audience_id: id, version: targetVersion };
  }
  return {
    experiment_id: experiment.id,
    audience_id: source.id,
    audience_version: source.spec.version,
    counts,
    exposures: Object.entries(counts)
      .filter(([k]) => k !== HOLDOUT)
      .reduce((s, [, n]) => s + n, 0),
    variant_audiences: variantAudiences,
  };
}
