/**
 * Summarizers condense a window of exchanges into the text Tier 3 indexes. The default is
 * extractive: it keeps the sentences whose terms recur most in the window, in their original order,
 * so a summary never says anything the conversation did not.
 */
import type { Exchange } from "../domain/types.js";
import { sentences, terms } from "../util/text.js";

export interface Summarizer {
  readonly name: string;
  summarize(exchanges: readonly Exchange[]): Promise<string>;
}

/** Default budget: 600 characters per window summary. */
export class ExtractiveSummarizer implements Summarizer {
  readonly name = "extractive";
  constructor(private readonly maxChars = 600) {}

  async summarize(exchanges: readonly Exchange[]): Promise<string> {
    const candidates = exchanges.flatMap((e, order) =>
      [
        ...sentences(e.userMessage).map((s) =>
          e.kind === "note" ? `Note: ${s}` : `${e.speaker ?? "User"}: ${s}`,
        ),
        ...sentences(e.botResponse).map((s) => `Assistant: ${s}`),
      ].map((text) => ({ text, order })),
    );
    const frequency = new Map<string, number>();
    for (const c of candidates)
      for (const t of new Set(terms(c.text))) frequency.set(t, (frequency.get(t) ?? 0) + 1);
    const scored = candidates.map((c, index) => {
      const t = terms(c.text);
      const weight = t.reduce((sum, term) => sum + Math.log(1 + (frequency.get(term) ?? 0)), 0);
      // User sentences carry what the user told us; favor them slightly.
      return {
        ...c,
        index,
        score: (t.length === 0 ? 0 : weight / Math.sqrt(t.length)) * (c.text.startsWith("User:") ? 1.2 : 1),
      };
    });
    const chosen = new Set<number>();
    let used = 0;
    for (const s of [...scored].sort((a, b) => b.score - a.score)) {
      if (used + s.text.length > this.maxChars && chosen.size > 0) continue;
      chosen.add(s.index);
      used += s.text.length + 1;
    }
    return scored
      .filter((s) => chosen.has(s.index))
      .map((s) => s.text)
      .join(" ")
      .slice(0, this.maxChars);
  }
}
