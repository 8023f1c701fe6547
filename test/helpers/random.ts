/**
 * Seeded randomness for tests, so that a failure reproduces: each caller has its own fixed seed (from its
 * label) unless TEST_SEED sets one for all; the seed in use is printed.
 */
import { seededRandom, type Random } from '../../demo/random.ts';

export function testRandom(label: string): Random {
  let seed = 2166136261;
  for (let i = 0; i < label.length; i++) seed = Math.imul(seed ^ label.charCodeAt(i), 16777619);
  seed = process.env.TEST_SEED ? Number(process.env.TEST_SEED) : seed >>> 0;
  console.log(`${label}: TEST_SEED=${seed} (set it to reproduce)`);
  return seededRandom(seed);
}
