/** Chooses the processing providers from config; the defaults run offline with no model (local: offline with one). */
import type { Config } from "../config/index.js";
import { localModels } from "../config/local-models.js";
import type { Exchange, Extraction } from "../domain/types.js";
import { type Embedder, HashingEmbedder, HttpEmbedder } from "./embedder.js";
import { type EntityExtractor, RuleBasedExtractor } from "./extractor.js";
import { ChatClaimProposer, type ClaimProposer } from "./llm-claims.js";
import { LocalEmbedder } from "./local-embedder.js";
import { ExtractiveSummarizer, type Summarizer } from "./summarizer.js";

export interface Processing {
  embedder: Embedder;
  summarizer: Summarizer;
  extractor: EntityExtractor;
  /** Proposes claims beside the rules' (HIERARCHICAL_MEMORY_FACT_EXTRACTOR); absent by default. */
  proposer?: ClaimProposer;
}

/** What the graph gets for an exchange: the rules' extraction, with the proposer's claims when there is one. */
export async function extractionOf(processing: Processing, exchange: Exchange): Promise<Extraction> {
  const proposed = processing.proposer ? await processing.proposer.propose(exchange) : [];
  return processing.extractor.extract(exchange, proposed);
}

/**
 * The providers the config names. `facts` (default: the rules alone) may add a chat model's claims;
 * `onFactFailure` hears of each of its failures (the rules' facts stand alone then).
 */
export function createProcessing(
  embedding: Config["embedding"],
  facts?: Config["factExtraction"],
  onFactFailure?: (error: unknown) => void,
): Processing {
  const embedder = createEmbedder(embedding);
  const proposer =
    facts?.provider === "openai-compatible" && facts.url
      ? new ChatClaimProposer({ ...facts, url: facts.url, onFailure: onFactFailure })
      : undefined;
  return {
    embedder,
    summarizer: new ExtractiveSummarizer(),
    extractor: new RuleBasedExtractor(),
    ...(proposer ? { proposer } : {}),
  };
}

/** The embedder the config names; `local` throws a ConfigError at once when its files are missing. */
export function createEmbedder(embedding: Config["embedding"]): Embedder {
  if (embedding.provider === "local")
    return new LocalEmbedder(localModels[embedding.localModel], embedding.modelDir);
  return embedding.provider === "openai-compatible" && embedding.url
    ? new HttpEmbedder({
        url: embedding.url,
        apiKey: embedding.apiKey,
        model: embedding.model,
        dimensions: embedding.dimensions,
      })
    : new HashingEmbedder(embedding.dimensions);
}

export type { ClaimProposer, Embedder, EntityExtractor, Summarizer };
