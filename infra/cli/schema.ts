/**
 * Prepares every tier for use on the configured stores (or the local emulation when nothing is
 * configured): the Postgres schema migrations, the Chroma collection, the Neo4j constraints. What
 * `npm start` does at start-up and the Schema function at deploy, on its own:
 *
 *   npm run schema
 */
import type { TierName } from "../../shared/domain/tiers.js";
import { type Command, parseCommandLine, runMain } from "./run-cli.js";

const command = {
  name: "schema",
  usage: ["npm run schema"],
  about: `
Prepares every enabled tier for use: applies the Postgres schema migrations, creates the Chroma summary
collections, creates the Neo4j constraints (Redis needs nothing). Idempotent. Prints one line per tier:
ok, not ready with its failure code (unreachable, timeout, refused, ...) and cause, nothing to prepare,
or disabled. It takes no flags. npm start and the deploy's Schema function do the same.`,
  options: {},
  notes: `
Environment: the service settings of template.env; with no service URL set, the local emulation, started
if needed.

Exit status: 0 Postgres is prepared (a projection tier that is not ready is reported; the outbox catches it
up once it is); 1 Postgres could not be prepared, or the configuration is invalid; 2 for a usage error.`,
} satisfies Command;

parseCommandLine(command);

interface Outcome {
  ok: boolean;
  latencyMs?: number;
  code?: string;
  cause?: string;
}

/** A failure's cause as one line; none when it says nothing ("[object Object]"). */
function causeText(cause: unknown): string | undefined {
  const text =
    typeof cause === "string"
      ? cause
      : typeof (cause as { message?: unknown })?.message === "string"
        ? (cause as { message: string }).message
        : undefined;
  return text && text !== "[object Object]" ? text.replaceAll(/\s+/g, " ") : undefined;
}

runMain(command, async () => {
  const [
    { loadConfig },
    { describeError, TierUnavailableError },
    { createMemory },
    { tierFailureCode },
    { resolveEnv },
  ] = await Promise.all([
    import("../../shared/config/index.js"),
    import("../../shared/errors/memory-error.js"),
    import("../../shared/runtime/create-memory.js"),
    import("../../shared/tiers/failures.js"),
    import("../local/resolve-env.js"),
  ]);
  const config = loadConfig((await resolveEnv()).env);
  const outcomes = new Map<string, Outcome>();
  // The memory logs each tier that fails with its code and cause: recorded for the tier's line, not printed.
  const record = (_message: string, ...attributes: Record<string, unknown>[]) => {
    for (const { tier, code, cause } of attributes)
      if (typeof tier === "string" && !outcomes.has(tier))
        outcomes.set(tier, { ok: false, code: String(code), cause: causeText(cause) });
  };
  const memory = createMemory(config, {
    logger: { debug: () => undefined, info: () => undefined, warn: record, error: record },
  });
  try {
    let postgresFailed = false;
    try {
      for (const r of await memory.manager.initializeTiers())
        outcomes.set(
          r.tier,
          r.ok ? { ok: true, latencyMs: r.latencyMs } : { ...outcomes.get(r.tier), ok: false, code: r.error },
        );
    } catch (error) {
      if (!(error instanceof TierUnavailableError && error.tier === "postgres")) throw error;
      // It throws after every tier's step ran: the others that failed were logged (recorded above).
      postgresFailed = true;
      const cause = error.cause instanceof Error ? describeError(error.cause) : error.cause;
      outcomes.set("postgres", { ok: false, code: tierFailureCode(error.cause), cause: causeText(cause) });
    }
    const status = (tier: TierName): string => {
      if (!config[tier].enabled) return "disabled";
      if (tier === "redis") return "nothing to prepare";
      const { ok, latencyMs, code, cause } = outcomes.get(tier) ?? { ok: true };
      if (ok) return latencyMs === undefined ? "ok" : `ok (${Math.round(latencyMs)} ms)`;
      return `not ready: ${code}${cause ? ` (${cause})` : ""}`;
    };
    for (const tier of ["postgres", "chroma", "neo4j", "redis"] as const)
      console.log(`${tier.padEnd(10)}${status(tier)}`);
    if (!postgresFailed) return 0;
    console.error("schema: Postgres could not be prepared; nothing can be stored without it");
    return 1;
  } finally {
    await memory.close();
  }
});
