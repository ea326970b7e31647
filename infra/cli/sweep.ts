/**
 * Erases from Redis, Chroma and Neo4j the data of users the archive does not have (what no erase
 * task knew of), on the configured stores or the local emulation. The Sweep function does the same
 * daily in the cloud:
 *
 *   npm run sweep -- [--tenant ID]
 */

import { type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";
import { withMemory } from "./with-memory.js";

const command = {
  name: "sweep",
  usage: ["npm run sweep -- [--tenant ID]"],
  about: `
Lists the users each projection tier (Redis, Chroma, Neo4j) holds data of, and erases from that tier
every one the archive (Postgres) has nothing of: data left by a failure, or by an erase from before
erase tasks existed. A user who stores meanwhile gets their projection rebuilt from the archive. Prints
how many users each tier held so. Safe to run at any time; in cache-only mode there is nothing to sweep.`,
  options: {
    tenant: {
      type: "string",
      value: "ID",
      description: "sweep only this tenant's users",
      defaultText: "every tenant",
    },
  },
  notes: `
Environment: the service settings of template.env; with no service URL set, the local emulation, started
if needed.

Exit status: 0 swept; 1 a store failed or the configuration is invalid; 2 for a usage error.`,
} satisfies Command;

const { values } = parseCommandLine(command);

runMain(command, async () => {
  const { tenantIdPattern } = await import("../../shared/domain/identity.js");
  const tenant = values.tenant;
  if (tenant !== undefined && !tenantIdPattern.test(tenant))
    throw new UsageError(`--tenant "${tenant}" is not a tenant id`);
  return withMemory(async (memory) => {
    const swept = await memory.manager.sweepOrphans({ tenant });
    for (const [tier, users] of Object.entries(swept))
      console.log(`${tier.padEnd(8)}${users} user(s) erased`);
    return 0;
  });
});
