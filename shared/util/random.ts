/** A small, fast, seedable PRNG (mulberry32): fixtures and samples that are the same for a seed. */
export function seededRandom(seed: number | string): () => number {
  let a =
    typeof seed === "number"
      ? seed >>> 0
      : [...seed].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
