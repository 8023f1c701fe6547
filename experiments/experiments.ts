/** Experiments: versioned definitions, status changes, and the cached allocation fast path. */
import crypto from 'node:crypto';
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { compileAllocation } from './allocation.ts';
import { DEFAULT_CUPED_DAYS, type ExperimentInput, type ExperimentSpec } from './experiment-schema.ts';

export type Experiment = MetadataRecord<ExperimentSpec>;

const store = (wh: Warehouse) => new MetadataStore<ExperimentSpec>(wh, 'experiments');

/** Creates an experiment in draft (or replaces a draft with the same id). */
export async function createExperiment(wh: Warehouse, workspaceId: string, input: ExperimentInput, changedBy: string): Promise<Experiment> {
  const keys = input.variants.map((v) => v.key);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw errors.invalid('variants', `variant key ${duplicate} appears twice`);
  if (keys.includes('holdout')) throw errors.invalid('variants', '"holdout" is reserved');
  const id = input.id ?? crypto.randomUUID();
  const existing = input.id ? await store(wh).get(workspaceId, id) : undefined;
  if (existing && existing.spec.status !== 'draft') throw errors.invalid('id', `experiment ${id} is ${existing.spec.status}; its allocation cannot change`);
  const spec: ExperimentSpec = {
    variants: input.variants,
    holdout: input.holdout ?? 0,
    salt: input.salt ?? id,
    metrics: input.metrics ?? ['conversion'],
    attribution_hours: input.attribution_hours ?? 72,
    mde_rel: input.mde_rel ?? 0.1,
    guardrails: input.guardrails ?? [],
    correction: input.correction ?? 'holm',
    cuped_days: input.cuped_days ?? DEFAULT_CUPED_DAYS,
    status: 'draft',
  };
  assignerCache.delete(`${workspaceId}/${id}`);
  return store(wh).save(workspaceId, { id, name: input.name, spec, changedBy });
}

export const getExperiment = (wh: Warehouse, workspaceId: string, id: string) => store(wh).get(workspaceId, id);
export const listExperiments = (wh: Warehouse, workspaceId: string, limit: number, after: string) => store(wh).list(workspaceId, limit, after);

/** draft → running → stopped; each change is a new version. */
export async function setExperimentStatus(
  wh: Warehouse,
  workspaceId: string,
  id: string,
  status: 'running' | 'stopped',
  changedBy: string,
): Promise<Experiment | undefined> {
  const current = await getExperiment(wh, workspaceId, id);
  if (!current) return undefined;
  const allowed = status === 'running' ? current.spec.status === 'draft' : current.spec.status === 'running';
  if (!allowed) throw errors.invalid('status', `cannot go from ${current.spec.status} to ${status}`);
  const now = new Date().toISOString();
  const spec = { ...current.spec, status, ...(status === 'running' ? { started_at: now } : { stopped_at: now }) };
  assignerCache.delete(`${workspaceId}/${id}`);
  return store(wh).save(workspaceId, { id, name: current.name, spec, changedBy });
}

/**
 * Compiled allocations, so an assignment is a hash and no warehouse round trip. The plan of a
 * running experiment cannot change, so caching it is safe; entries expire to pick up new experiments.
 */
const ASSIGNER_TTL_MS = 60_000;
const assignerCache = new Map<string, { assign: (userId: string) => string; until: number } | { missing: true; until: number }>();

/** The variant of `userId`, or undefined when the workspace has no such experiment. */
export async function assignmentOf(wh: Warehouse, workspaceId: string, experimentId: string, userId: string): Promise<string | undefined> {
  const key = `${workspaceId}/${experimentId}`;
  let entry = assignerCache.get(key);
  if (!entry || entry.until < Date.now()) {
    const experiment = await getExperiment(wh, workspaceId, experimentId);
    entry = experiment ? { assign: compileAllocation(experiment.spec), until: Date.now() + ASSIGNER_TTL_MS } : { missing: true, until: Date.now() + 1000 };
    if (assignerCache.size > 10_000) assignerCache.clear();
    assignerCache.set(key, entry);
  }
  return 'assign' in entry ? entry.assign(userId) : undefined;
}
