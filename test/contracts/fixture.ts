/** What every contract suite shares: ids no other test uses, a pause for leases and backoff, known failures. */
import { it } from "vitest";

/**
 * Ids unique to this call (so suites can share one real store with other test files), in ascending
 * order as they are made: `<label>-<random>/u0001`, `/u0002`, ...
 */
export function uniqueIds(label: string): () => string {
  const run = crypto.randomUUID().slice(0, 8);
  let n = 0;
  return () => `${label}-${run}/u${String(++n).padStart(4, "0")}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const day = 86_400_000;

/**
 * `it`, or `it.fails` for a test the store under test is known to fail (each such case is named in
 * the suite that runs it, with the reason): the known failure stays visible, and the test turns red
 * once the store is fixed, so the mark goes too.
 */
export function contractTest(knownFailures: readonly string[] = []) {
  return (title: string, fn: () => Promise<void>) =>
    (knownFailures.includes(title) ? it.fails : it)(title, fn);
}

/** Every user a store's scan yields (other test files' users may come too). */
export async function scanned(scan: AsyncIterable<string[]>): Promise<Set<string>> {
  const users = new Set<string>();
  for await (const batch of scan) for (const u of batch) users.add(u);
  return users;
}
