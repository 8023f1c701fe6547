/**
 * k-means clusters of contacts by behaviour. Fitted with ml-kmeans (k-means++ seeded) on a deterministic
 * sample, k chosen by silhouette when a range is given, in a worker thread with a time limit; then every
 * contact is assigned in ClickHouse by nearest centroid, so the audience size is not bounded by JS memory.
 *
 * Features are standardized (z-scores over the sample); frequency and monetary are log1p'd first.
 */
import crypto from 'node:crypto';
import { errors } from '../common/errors.ts';
import { MetadataStore, type MetadataRecord } from '../warehouse/metadata-store.ts';
import { formatTs } from '../warehouse/time.ts';
import { workspaceParams } from '../warehouse/query-builder.ts';
import { sql } from '../warehouse/sql-files.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { fitInWorker } from './kmeans-in-worker.ts';

export const CLUSTER_FEATURES = ['recency_days', 'frequency', 'monetary', 'click_rate', 'conversion_rate', 'vip_level'] as const;
export type ClusterFeature = (typeof CLUSTER_FEATURES)[number];
/** Each candidate k is a full fit: a range may hold this many. */
export const MAX_K_CANDIDATES = 10;

const LOGGED: ReadonlySet<ClusterFeature> = new Set(['frequency', 'monetary']);

export interface ClusterRequest {
  features: ClusterFeature[];
  k?: number;
  k_range?: [number, number];
  seed?: number;
  window_days?: number;
  sample?: number;
}

export interface ClusterProfile {
  cluster: number;
  size: number;
  means: Record<ClusterFeature, number>;
  /** A readable summary: features well above or below the average contact. */
  description: string;
}

export interface ClusterModelSpec {
  features: ClusterFeature[];
  k: number;
  seed: number;
  window_days: number;
  computed_at: string;
  /** Centroids in standardized units, in `features` order. */
  centroids: number[][];
  means: number[];
  sds: number[];
  silhouette: number;
  silhouette_by_k: Record<string, number>;
  sizes: number[];
  profiles: ClusterProfile[];
}

export type ClusterModel = MetadataRecord<ClusterModelSpec>;

type FeatureRow = Record<ClusterFeature, number> & { user_id: string };

const store = (wh: Warehouse) => new MetadataStore<ClusterModelSpec>(wh, 'cluster_models');

const transform = (f: ClusterFeature, x: number) => (LOGGED.has(f) ? Math.log1p(x) : x);

function describe(
  means: Record<ClusterFeature, number>,
  overall: Record<ClusterFeature, number>,
  sd: Record<ClusterFeature, number>,
  features: ClusterFeature[],
): string {
  const notes: string[] = [];
  for (const f of features) {
    const z = sd[f] > 0 ? (means[f] - overall[f]) / sd[f] : 0;
    const word = f === 'recency_days' ? (z < 0 ? 'recent buyers' : 'lapsed buyers') : `${z > 0 ? 'high' : 'low'} ${f.replace('_', ' ')}`;
    if (Math.abs(z) >= 0.5) notes.push(word);
  }
  return notes.length ? notes.join(', ') : 'close to the average contact';
}

/**
 * Fits a model on a sample, assigns every contact in ClickHouse, and stores the model. The fitting
 * rejects with CLUSTER_TIMEOUT past `timeLimitMs`. A bad k range or too few contacts is invalid input.
 */
export async function fitClusters(
  wh: Warehouse,
  workspaceId: string,
  req: ClusterRequest,
  opts: { nowMs: number; changedBy: string; timeLimitMs: number },
): Promise<ClusterModel> {
  if (req.k_range && req.k_range[0] > req.k_range[1]) throw errors.invalid('k_range', 'must be [low, high]');
  if (req.k_range && req.k_range[1] - req.k_range[0] + 1 > MAX_K_CANDIDATES)
    throw errors.invalid('k_range', `at most ${MAX_K_CANDIDATES} values of k per request`);
  const seed = req.seed ?? 42;
  const windowDays = req.window_days ?? 90;
  const features = req.features;
  const base = workspaceParams(workspaceId, { now: formatTs(opts.nowMs), window: windowDays });
  const rows = await wh.query<FeatureRow>(sql('clusters/sample'), { ...base, seed, sample: req.sample ?? 20_000 });
  const ks = req.k !== undefined ? [req.k] : range(req.k_range ?? [2, 8]);
  if (rows.length < Math.max(...ks) * 2) throw errors.invalid('', `only ${rows.length} contacts to cluster: too few for k = ${Math.max(...ks)}`);

  // Standardize every feature over the sample (unused ones too: the assignment SQL takes all six).
  const means = CLUSTER_FEATURES.map((f) => rows.reduce((s, r) => s + transform(f, Number(r[f])), 0) / rows.length);
  const sds = CLUSTER_FEATURES.map((f, i) => Math.sqrt(rows.reduce((s, r) => s + (transform(f, Number(r[f])) - means[i]!) ** 2, 0) / rows.length) || 1);
  const idx = features.map((f) => CLUSTER_FEATURES.indexOf(f));
  const points = rows.map((r) => idx.map((i) => (transform(CLUSTER_FEATURES[i]!, Number(r[CLUSTER_FEATURES[i]!])) - means[i]!) / sds[i]!));

  const fitted = await fitInWorker({ points, ks, seed }, opts.timeLimitMs);
  const best = { k: fitted.k, centroids: fitted.centroids, score: fitted.silhouette };
  const byK = fitted.silhouetteByK;
  const id = crypto.randomUUID();
  await wh.command(sql('clusters/assign'), { ...base, model: id, features, means, sds, centroids: best.centroids });
  const profileRows = await wh.query<Record<ClusterFeature, number> & { cluster: number; size: string }>(sql('clusters/profiles'), { ...base, model: id });
  const overall = Object.fromEntries(CLUSTER_FEATURES.map((f) => [f, rows.reduce((s, r) => s + Number(r[f]), 0) / rows.length])) as Record<
    ClusterFeature,
    number
  >;
  const rawSd = Object.fromEntries(
    CLUSTER_FEATURES.map((f) => [f, Math.sqrt(rows.reduce((s, r) => s + (Number(r[f]) - overall[f]) ** 2, 0) / rows.length)]),
  ) as Record<ClusterFeature, number>;
  const sizes = new Array<number>(best.k).fill(0);
  const profiles: ClusterProfile[] = profileRows.map((p) => {
    const meansOf = Object.fromEntries(CLUSTER_FEATURES.map((f) => [f, Number(p[f])])) as Record<ClusterFeature, number>;
    sizes[Number(p.cluster)] = Number(p.size);
    return { cluster: Number(p.cluster), size: Number(p.size), means: meansOf, description: describe(meansOf, overall, rawSd, features) };
  });
  const spec: ClusterModelSpec = {
    features,
    k: best.k,
    seed,
    window_days: windowDays,
    computed_at: new Date(opts.nowMs).toISOString(),
    centroids: best.centroids,
    means,
    sds,
    silhouette: best.score,
    silhouette_by_k: byK,
    sizes,
    profiles,
  };
  return store(wh).save(workspaceId, { id, name: `k-means k=${best.k} on ${features.join(', ')}`, spec, changedBy: opts.changedBy });
}

function range([lo, hi]: [number, number]): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

export const getClusterModel = (wh: Warehouse, workspaceId: string, id: string) => store(wh).get(workspaceId, id);
