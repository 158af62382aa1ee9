/**
 * The random numbers of a dry run: `$random()` and `$shuffle()` draw from a generator seeded the same way for every
 * case on every side of a plan, so a mapping that uses them shows the same values on every run of `junction plan`
 * and `junction test`, and the PR comment lists only what the change changed. The runtime draws from Math.random.
 */

/** The seed of every dry run (any fixed value would do; documented so a reader can reproduce a plan's values). */
const DRY_RUN_SEED = 0x6a756e63;

/** A fresh generator of numbers in [0, 1): mulberry32, small and with a full 2^32 period for any seed. */
export function seededRandom(seed = DRY_RUN_SEED): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
