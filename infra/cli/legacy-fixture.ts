/**
 * Writes a legacy WhisperEngine-style store (user_memories, global_facts) of any size into the
 * legacy Chroma (HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL, default the local emulation's), to try
 * the migration on:
 *
 *   npm run legacy:fixture -- [--records 10000] [--seed 1] [--replace]
 */
import { legacyRecords, writeLegacyStore } from "../local/legacy-fixture.js";
import { type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";

const command = {
  name: "legacy:fixture",
  usage: ["npm run legacy:fixture -- [--records N] [--seed N] [--replace]"],
  about: `
Writes a legacy WhisperEngine-style store (collections user_memories and global_facts: conversations,
user facts, personality facts, versioned facts, global facts, and some records no migration can take)
into the legacy Chroma, to try the migration on (npm run migrate). The same seed writes the same records.
Prints one JSON line: the legacy URL, the counts written, and the seconds it took.`,
  options: {
    records: {
      type: "string",
      value: "N",
      default: "10000",
      description: "legacy records to write, 1 to 1,000,000",
    },
    seed: { type: "string", value: "N", default: "1", description: "seed of the generated records" },
    replace: {
      type: "boolean",
      default: false,
      description: "delete both collections first (otherwise records are added or overwritten by id)",
    },
  },
  notes: `
Environment: HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL (and _API_KEY), default the Tier 3 Chroma
(HIERARCHICAL_MEMORY_CHROMADB_URL); with no service URL set, the local emulation's, started if needed.

Exit status: 0 written; 1 the store could not be written; 2 for a usage error.`,
} satisfies Command;

const { values } = parseCommandLine(command);

runMain(command, async () => {
  const records = Number(values.records);
  if (!Number.isInteger(records) || records < 1 || records > 1_000_000)
    throw new UsageError(`--records must be a whole number from 1 to 1,000,000, got "${values.records}"`);
  const [{ loadConfig }, { createChromaClient }, { resolveEnv }] = await Promise.all([
    import("../../shared/config/index.js"),
    import("../../shared/tiers/chroma/client.js"),
    import("../local/resolve-env.js"),
  ]);
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
});
