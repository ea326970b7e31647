/**
 * Tier 3 client: Chroma over HTTP. We always pass our own embeddings (no embedding function),
 * so the client never tries to load a model.
 */
import { ChromaClient } from "chromadb";
import type { Config } from "../../config/index.js";
import { UnexpectedAnswerError } from "../../errors/memory-error.js";
import { probeId, type TierProbe } from "../probe.js";

export function createChromaClient(config: Config["chroma"]): ChromaClient {
  const url = new URL(config.url);
  const ssl = url.protocol === "https:";
  return new ChromaClient({
    host: url.hostname,
    port: url.port ? Number(url.port) : ssl ? 443 : 80,
    ssl,
    tenant: config.tenant,
    database: config.database,
    headers: config.apiKey ? { "x-chroma-token": config.apiKey } : undefined,
  });
}

/**
 * The probe uses its own small collection so it never touches user data. The client's connection
 * error drops its cause (DNS, refused, reset), so the probe names the host it could not reach.
 */
export function chromaProbe(chroma: ChromaClient, url: string): TierProbe {
  const { host } = new URL(url);
  return {
    tier: "chroma",
    async roundTrip() {
      const collection = await chroma
        .getOrCreateCollection({ name: "tier_probe", embeddingFunction: null })
        .catch((error: unknown) => {
          if (error instanceof Error && error.name === "ChromaConnectionError")
            // Its message goes on about browsers and CORS; the first sentence is the news.
            throw new Error(`cannot reach Chroma at ${host} (${error.message.split(". ")[0]})`, {
              cause: error,
            });
          throw error;
        });
      const id = probeId();
      await collection.add({ ids: [id], embeddings: [[0.1, 0.2, 0.3]], documents: ["probe"] });
      try {
        const read = await collection.get({ ids: [id], include: ["documents"] });
        if (read.documents[0] !== "probe") throw new UnexpectedAnswerError("chroma", "get");
      } finally {
        await collection.delete({ ids: [id] });
      }
    },
    async ping() {
      await chroma.heartbeat();
    },
  };
}
