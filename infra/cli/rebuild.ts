/**
 * Rebuilds the projection tiers (Redis, Chroma, Neo4j) from the archive, for every user or one: after
 * an upgrade that changes what a tier keeps, or to repair a tier by hand.
 *
 *   npm run rebuild -- [--tiers redis,chroma,neo4j] [--user TENANT/ID]
 */

import { type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";
import { withMemory } from "./with-memory.js";

const command = {
  name: "rebuild",
  usage: ["npm run rebuild -- [--tiers redis,chroma,neo4j] [--user TENANT/ID]"],
  about: `
Rebuilds the chosen projection tiers of every user (or of one) from the archive (Postgres), the source
of truth: the Redis list of newest exchanges, the window summaries in Postgres and Chroma, the facts in
Neo4j. Run it after an upgrade that changes what a tier keeps; this one: facts carry their exchange's
metadata (filters) and claims with validity (facts that change), and Chroma summaries carry the keys
scoped reads use. Prepares every tier first (as npm run schema). The memory keeps serving meanwhile; a
user is rebuilt as the archive holds them then.`,
  options: {
    tiers: {
      type: "string",
      value: "LIST",
      description: "the projection tiers to rebuild, comma-separated",
      defaultText: "every enabled one",
    },
    user: {
      type: "string",
      value: "TENANT/ID",
      description: "rebuild only this stored user (the tenant, a slash, the user id)",
      defaultText: "every user",
    },
  },
  notes: `
Environment: the service settings of template.env; with no service URL set, the local emulation, started
if needed.

Exit status: 0 rebuilt; 1 a store failed or the configuration is invalid; 2 for a usage error.`,
} satisfies Command;

const { values } = parseCommandLine(command);

runMain(command, async () => {
  const { projectionTiers } = await import("../../shared/domain/tiers.js");
  const tiers = values.tiers?.split(",").map((t) => t.trim());
  const unknown = tiers?.filter((t) => !(projectionTiers as readonly string[]).includes(t)) ?? [];
  if (tiers?.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--tiers takes ${projectionTiers.join(", ")}; not ${unknown.join(", ") || "nothing"}`,
    );
  const chosen = tiers as (typeof projectionTiers)[number][] | undefined;
  return withMemory(async (memory) => {
    // The schema first (Postgres migrations, collections, constraints): an upgrade runs this next.
    await memory.manager.initializeTiers();
    const started = performance.now();
    if (values.user) {
      await memory.manager.assertKnownUser(values.user);
      await memory.manager.rebuildUser(values.user, chosen);
      console.log(`rebuilt ${values.user} (${(chosen ?? ["every enabled tier"]).join(", ")})`);
    } else {
      const users = await memory.manager.rebuildAll(chosen);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `rebuilt ${users} user(s) (${(chosen ?? ["every enabled tier"]).join(", ")}) in ${seconds} s`,
      );
    }
    return 0;
  });
});
