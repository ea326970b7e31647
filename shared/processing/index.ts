/** Chooses the processing providers from config; the defaults run offline with no model. */
import type { Config } from "../config/index.js";
import { type Embedder, HashingEmbedder, HttpEmbedder } from "./embedder.js";
import { type EntityExtractor, RuleBasedExtractor } from "./extractor.js";
import { ExtractiveSummarizer, type Summarizer } from "./summarizer.js";

export interface Processing {
  embedder: Embedder;
  summarizer: Summarizer;
  extractor: EntityExtractor;
}

export function createProcessing(embedding: Config["embedding"]): Processing {
  const embedder =
    embedding.provider === "openai-compatible" && embedding.url
      ? new HttpEmbedder({
          url: embedding.url,
          apiKey: embedding.apiKey,
          model: embedding.model,
          dimensions: embedding.dimensions,
        })
      : new HashingEmbedder(embedding.dimensions);
  return { embedder, summarizer: new ExtractiveSummarizer(), extractor: new RuleBasedExtractor() };
}

export type { Embedder, EntityExtractor, Summarizer };
