/** A seeded random source for the demo data: the same seed gives the same data on every machine. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { mersenne } from 'pure-rand/generator/mersenne';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Log-normal with the given median and shape. */
  logNormal(median: number, sigma: number): number;
}

export function seededRandom(seed: number): Random {
  // Mersenne Twister: well mixed from the first draw whatever the seed (xoroshiro is not, for small seeds).
  const rng = mersenne(seed);
  const next = () => uniformFloat64(rng);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of items) if ((r -= w) < 0) return value;
      return items[items.length - 1]![0];
    },
    logNormal: (median, sigma) => {
      // Box-Muller on two uniforms.
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(sigma * z);
    },
  };
}
