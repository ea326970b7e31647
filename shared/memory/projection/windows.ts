/**
 * Summary windows: a user's exchanges in runs of `size` by ordinal (1..size is window 0). Turning
 * windows into summaries (text, span, vector) is shared by the single-exchange and the bulk paths.
 */
import { sharedMetadata } from "../../domain/filter.js";
import {
  type Exchange,
  exchangeText,
  type Metadata,
  type Summary,
  scopeOf,
  sharedScope,
} from "../../domain/types.js";
import type { WindowKey } from "../../tiers/archive.js";
import type { IndexedExchange } from "../../tiers/summary-index.js";
import type { ProjectionDeps } from "./deps.js";

/** The summary window an exchange falls in: ordinals 1..size are window 0, and so on. */
export const windowIndexOf = (ordinal: number, size: number) => Math.floor((ordinal - 1) / size);

/**
 * A window's vector: the mean direction of its exchanges' vectors (unit length). Each exchange is
 * embedded once, when stored or changed, instead of the whole window again on every store (a model's
 * cost grows with the text's length: four exchanges cost about four).
 */
export function windowVector(vectors: readonly number[][]): number[] {
  const sum = new Array<number>(vectors[0]?.length ?? 0).fill(0);
  for (const v of vectors) for (const [d, x] of v.entries()) sum[d] = (sum[d] ?? 0) + x;
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}

/** The distinct windows these exchanges fall in. */
export function windowsOf(exchanges: readonly Exchange[], size: number): WindowKey[] {
  const keys = new Map<string, WindowKey>();
  for (const e of exchanges) {
    const windowIndex = windowIndexOf(e.ordinal, size);
    keys.set(`${e.userId}\u0000${windowIndex}`, { userId: e.userId, windowIndex });
  }
  return [...keys.values()];
}

/**
 * Summarizes the windows these exchanges (by user, then ordinal) make up, writes each summary with
 * its window's vector to the summary index, with the vectors of the exchanges named in `fresh` (those
 * new or changed: the others' are already there, and read back; one missing is embedded again), and
 * returns the summaries for the archive to keep.
 */
export async function summarizeWindows(
  deps: ProjectionDeps,
  exchanges: readonly Exchange[],
  fresh: ReadonlySet<string> | "all" = "all",
): Promise<Summary[]> {
  const { summaries } = deps.stores;
  if (!summaries || exchanges.length === 0) return [];
  const size = deps.summaryWindow;
  const windows = [
    ...Map.groupBy(exchanges, (e) => `${e.userId}\u0000${windowIndexOf(e.ordinal, size)}`).values(),
  ];
  const built = await Promise.all(windows.map((w) => summaryOf(deps, w)));
  const kept = fresh === "all" ? [] : exchanges.filter((e) => !fresh.has(e.id));
  const known = await storedVectors(summaries, kept);
  const singles = exchanges.filter((e) => !known.has(e.id));
  const embedded = await deps.processing.embedder.embed(singles.map(exchangeText));
  for (const [i, e] of singles.entries()) known.set(e.id, embedded[i] ?? []);
  await summaries.upsert(
    built.map((summary, i) => ({
      summary,
      embedding: windowVector((windows[i] ?? []).map((e) => known.get(e.id) ?? [])),
    })),
    singles.map((e, i) => ({ exchange: indexedExchange(e, size), embedding: embedded[i] ?? [] })),
  );
  return built;
}

/**
 * Rewrites the summaries of the windows these exchanges fall in, under the windows' locks taken in
 * one go; these exchanges get their own vectors (a window's other exchanges have theirs).
 */
export async function rewriteWindowsOf(deps: ProjectionDeps, exchanges: readonly Exchange[]): Promise<void> {
  const { summaries, archive } = deps.stores;
  if (!summaries || !archive) return;
  const size = deps.summaryWindow;
  const fresh = new Set(exchanges.map((e) => e.id));
  await archive.rewriteWindows(windowsOf(exchanges, size), size, (inWindows) =>
    summarizeWindows(deps, inWindows, fresh),
  );
}

/** The vectors the index holds of these exchanges, by exchange id (one user at a time). */
async function storedVectors(
  summaries: NonNullable<ProjectionDeps["stores"]["summaries"]>,
  exchanges: readonly Exchange[],
): Promise<Map<string, number[]>> {
  const byUser = Map.groupBy(exchanges, (e) => e.userId);
  const found = await Promise.all(
    [...byUser].map(([userId, mine]) =>
      summaries.vectorsOf(
        userId,
        mine.map((e) => e.id),
      ),
    ),
  );
  return new Map(found.flatMap((m) => [...m]));
}

/** An exchange as the summary index keeps it. */
export const indexedExchange = (e: Exchange, size: number): IndexedExchange => ({
  userId: e.userId,
  exchangeId: e.id,
  windowIndex: windowIndexOf(e.ordinal, size),
  text: exchangeText(e),
  createdAt: e.createdAt,
  ...scopeOf(e),
  ...withShared(e.metadata),
});

const withShared = (metadata: Metadata) => (Object.keys(metadata).length === 0 ? {} : { metadata });

async function summaryOf(deps: ProjectionDeps, window: readonly Exchange[]): Promise<Summary> {
  const first = window[0] as Exchange;
  const times = window.map((e) => e.createdAt.getTime());
  return {
    userId: first.userId,
    windowIndex: windowIndexOf(first.ordinal, deps.summaryWindow),
    text: await deps.processing.summarizer.summarize(window),
    exchangeIds: window.map((e) => e.id),
    startAt: new Date(Math.min(...times)),
    endAt: new Date(Math.max(...times)),
    ...sharedScope(window),
    ...withShared(sharedMetadata(window)),
  };
}
