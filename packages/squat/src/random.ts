// Seeded randomness (mulberry32, Box-Muller): test builders and the lab's fitting and augmentation give the same numbers on every run.

/** mulberry32: a tiny seeded PRNG, so fitting gives the same model on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal draw from a uniform [0, 1) source (Box-Muller; 1 - u keeps the log finite). */
export function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
