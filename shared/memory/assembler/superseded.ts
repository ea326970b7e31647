/**
 * "Prefers what holds now" for exchanges too: an exchange every claim of which is in a slot where
 * the graph answered with another exchange's claim that holds (now, or at asOf) said something that
 * no longer holds ("I live in Lisbon" once the user moved to Porto). Its text stays (it is what was
 * said), marked and ranked lower. Only slots the graph answered for are judged: no answer, no verdict.
 */
import type { Exchange } from "../../domain/types.js";
import type { EntityExtractor } from "../../processing/index.js";
import type { GraphFact } from "../../tiers/knowledge-graph.js";

export function supersededExchanges(
  exchanges: readonly Pick<Exchange, "id" | "userMessage" | "speaker">[],
  facts: readonly GraphFact[],
  extractor: Pick<EntityExtractor, "claimSlots">,
): Set<string> {
  const holding = new Map<string, Set<string>>();
  for (const f of facts)
    if (f.slot) holding.set(f.slot, (holding.get(f.slot) ?? new Set<string>()).add(f.exchangeId));
  const superseded = new Set<string>();
  if (holding.size === 0) return superseded;
  const seen = new Set<string>();
  for (const e of exchanges) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const slots = e.userMessage ? extractor.claimSlots(e) : [];
    const ended = (slot: string) => {
      const by = holding.get(slot);
      return by !== undefined && !by.has(e.id);
    };
    if (slots.length > 0 && slots.every(ended)) superseded.add(e.id);
  }
  return superseded;
}
