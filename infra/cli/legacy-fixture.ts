/**
 * Writes a legacy WhisperEngine-style store (user_memories, global_facts) of any size into the
 * legacy Chroma (HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL, default the local emulation's), to try
 * the migration on:
 *
 *   npm run legacy:fixture -- [--records 10000] [--seed 1] [--replace]
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../shared/config/index.js";
import { createChromaClient } from "../../shared/tiers/chroma/client.js";
import { legacyRecords, writeLegacyStore } from "../local/legacy-fixture.js";
import { resolveEnv } from "../local/resolve-env.js";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    replace: { type: "boolean", default: false },
  },
});

async function main() {
  const records = Number(values.records);
  if (!Number.isInteger(records) || records < 1 || records > 1_000_000)
    throw new Error(`--records must be a whole number from 1 to 1,000,000, got "${values.records}"`);
  const config = loadConfig((await resolveEnv()).env);
  const chroma = createChromaClient({
    ...config.chroma,
    url: config.migration.legacyUrl,
    apiKey: config.migration.legacyApiKey,
  });
  if (values.replace)
    for (const name of ["user_memories", "global_facts"])
      await chroma.deleteCollection({ name }).catch(() => undefined);
  const started = performance.now();
  const counts = await writeLegacyStore(chroma, legacyRecords(records, Number(values.seed)), {
    batchSize: 1000,
  });
  console.log(
    JSON.stringify({
      legacyUrl: config.migration.legacyUrl,
      ...counts,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
