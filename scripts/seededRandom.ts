/**
 * mulberry32: a tiny deterministic pseudo-random generator. The same seed gives the same sequence
 * on every run and platform, so generated scenarios and test fixtures are reproducible byte for
 * byte. Not for anything that needs real randomness.
 *
 * @param seed any number; only its low 32 bits are used (`seed >>> 0`).
 * @returns a function giving the next value in [0, 1) on each call.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
