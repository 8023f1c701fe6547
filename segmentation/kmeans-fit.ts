/**
 * The CPU-heavy part of clustering: k-means fits (ml-kmeans, k-means++ seeded) for each candidate k,
 * scored by silhouette. Pure and synchronous, so it can run in a worker thread (see kmeans-worker.ts)
 * and give the same answer there as anywhere else for the same points and seed.
 */
import { kmeans } from 'ml-kmeans';

export interface KMeansFitInput {
  /** Standardized feature vectors. */
  points: number[][];
  /** Candidate numbers of clusters; the best by silhouette wins (the first on a tie). */
  ks: number[];
  seed: number;
}

export interface KMeansFitResult {
  k: number;
  centroids: number[][];
  silhouette: number;
  silhouetteByK: Record<string, number>;
}

/** Silhouette is O(n²): it is scored on the first points only (the sample is already in random order). */
const SILHOUETTE_POINTS = 2000;

/** Mean silhouette of a clustering (squared-Euclidean k-means, Euclidean silhouette). */
export function silhouette(points: number[][], labels: number[], k: number): number {
  const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (let j = 0; j < points.length; j++) {
      if (i === j) continue;
      sums[labels[j]!]! += dist(points[i]!, points[j]!);
      counts[labels[j]!]!++;
    }
    const own = labels[i]!;
    if (counts[own] === 0) continue; // a singleton's silhouette is 0
    const a = sums[own]! / counts[own]!;
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]! > 0) b = Math.min(b, sums[c]! / counts[c]!);
    total += b === Infinity ? 0 : (b - a) / Math.max(a, b);
  }
  return total / points.length;
}

/** Fits every candidate k and returns the best one by silhouette. */
export function fitBestK({ points, ks, seed }: KMeansFitInput): KMeansFitResult {
  const silhouetteSample = points.slice(0, SILHOUETTE_POINTS);
  const silhouetteByK: Record<string, number> = {};
  let best: KMeansFitResult | undefined;
  for (const k of ks) {
    const fit = kmeans(points, k, { seed, initialization: 'kmeans++', maxIterations: 300 });
    const score = silhouette(silhouetteSample, fit.clusters.slice(0, silhouetteSample.length), k);
    silhouetteByK[String(k)] = score;
    if (!best || score > best.silhouette) best = { k, centroids: fit.centroids, silhouette: score, silhouetteByK };
  }
  if (!best) throw new Error('fitBestK: no candidate k');
  return best;
}
