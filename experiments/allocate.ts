/** Allocating an audience to an experiment: the checks and the snapshot choice, shared by the API and the CLI. */
import { errors } from '../common/errors.ts';
import { audienceVersions, getAudience } from '../segmentation/audiences.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { allocateAudience, type AllocationResult } from './audience-allocation.ts';
import { getExperiment } from './experiments.ts';

export interface AllocateInput {
  audience_id: string;
  /** The audience snapshot to split (default: its newest). */
  version?: number;
}

/**
 * Splits an audience snapshot among a running experiment's variants. A missing experiment, audience or
 * version is not found; an experiment that is not running is refused, naming its `status`.
 */
export async function allocateExperiment(
  wh: Warehouse,
  workspaceId: string,
  experimentId: string,
  input: AllocateInput,
  opts: { nowMs: number; changedBy: string },
): Promise<AllocationResult> {
  const experiment = await getExperiment(wh, workspaceId, experimentId);
  if (!experiment) throw errors.notFound(`experiment ${experimentId}`);
  if (experiment.spec.status !== 'running')
    throw errors.invalid('status', `experiment ${experimentId} is ${experiment.spec.status}; start it before allocating`);
  const versions = (await getAudience(wh, workspaceId, input.audience_id)) ? await audienceVersions(wh, workspaceId, input.audience_id) : [];
  const snapshot = input.version === undefined ? versions.at(-1) : versions.find((v) => v.version === input.version);
  if (!snapshot) throw errors.notFound(`audience ${input.audience_id}${input.version ? ` version ${input.version}` : ''}`);
  return allocateAudience(wh, workspaceId, experiment, { id: input.audience_id, spec: snapshot }, opts);
}
