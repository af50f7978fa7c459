/**
 * A small deterministic pseudo-random source in [0, 1) (mulberry32): the same seed gives the same
 * sequence, so shuffles, sampled fits and generated test cases can be replayed.
 *
 * @example const random = seededRandom(42); const pick = items[Math.floor(random() * items.length)];
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
