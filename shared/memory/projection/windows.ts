/**
 * Summary windows: a user's exchanges in runs of `size` by ordinal (1..size is window 0). Turning
 * windows into summaries (text, span, vector) is shared by the single-exchange and the bulk paths.
 */
import { sharedMetadata } from "../../domain/filter.js";
import { type Exchange, exchangeText, type Metadata, type Summary, sharedScope } from "../../domain/types.js";
import type { WindowKey } from "../../tiers/archive.js";
import type { ProjectionDeps } from "./deps.js";

/** The summary window an exchange falls in: ordinals 1..size are window 0, and so on. */
export const windowIndexOf = (ordinal: number, size: number) => Math.floor((ordinal - 1) / size);

/** What a window's vector embeds: the whole window, not only its summary. */
export const windowText = (window: readonly Exchange[]) => window.map(exchangeText).join("\n");

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
 * its window's vector to the summary index, and returns the summaries for the archive to keep.
 */
export async function summarizeWindows(
  deps: ProjectionDeps,
  exchanges: readonly Exchange[],
): Promise<Summary[]> {
  const { summaries } = deps.stores;
  if (!summaries || exchanges.length === 0) return [];
  const size = deps.summaryWindow;
  const windows = [
    ...Map.groupBy(exchanges, (e) => `${e.userId}\u0000${windowIndexOf(e.ordinal, size)}`).values(),
  ];
  const built = await Promise.all(windows.map((w) => summaryOf(deps, w)));
  const vectors = await deps.processing.embedder.embed(windows.map(windowText));
  await summaries.upsert(built.map((summary, i) => ({ summary, embedding: vectors[i] ?? [] })));
  return built;
}

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
