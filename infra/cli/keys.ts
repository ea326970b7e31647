/**
 * API keys: `npm run keys -- create <tenant> <name>` | `create-admin <name>` | `list [tenant]` | `revoke <keyId>`,
 * with --scopes and --expires for the two creates.
 * Uses the configured Postgres (or the local emulation when nothing is configured). A new key is
 * printed once; only its hash is stored.
 */
import type { ApiKeyInfo } from "../../shared/tiers/key-store.js";
import { parseExpiry, parseScopes } from "./key-options.js";
import { CliError, type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";

/** Each subcommand's synopsis, and how many arguments it needs and takes. */
const subcommands = new Map([
  ["create", { synopsis: "create <tenant> <name> [--scopes LIST] [--expires WHEN]", needs: 2, takes: 2 }],
  ["create-admin", { synopsis: "create-admin <name> [--scopes LIST] [--expires WHEN]", needs: 1, takes: 1 }],
  ["list", { synopsis: "list [tenant]", needs: 0, takes: 1 }],
  ["revoke", { synopsis: "revoke <keyId>", needs: 1, takes: 1 }],
]);

const command = {
  name: "keys",
  usage: [...subcommands.values()].map((s) => `npm run keys -- ${s.synopsis}`),
  about: `
Manages API keys in Postgres (only a key's SHA-256 hash is stored):
  create <tenant> <name>   a key for a tenant's bot; prints hm_<id>_<secret> once
  create-admin <name>      an operator key: it opens /console only; printed once
  list [tenant]            every key (or a tenant's): id, tenant, name, scopes, created, expiry, REVOKED
  revoke <keyId>           revokes a key; API processes stop accepting it within about a minute

Scopes: read (a tenant's bot: context, search, list, export; an operator: look in the console), write
(store; an operator: console actions such as the tier test), erase (forget a user). A key without the
scope a request needs gets 403. An expired key gets 401, at once.`,
  options: {
    scopes: {
      type: "string",
      value: "LIST",
      description: "what the new key may do, comma-separated: read, write, erase",
      defaultText: "read,write,erase",
    },
    expires: {
      type: "string",
      value: "WHEN",
      description: "when the new key stops working: a duration (90d, 12h) or an ISO date",
      defaultText: "never",
    },
  },
  positionals: true,
  notes: `
Environment: the service settings of template.env; API keys need only HIERARCHICAL_MEMORY_POSTGRESQL_URL
(with no service URL set, the local emulation is used, started if needed). Prepares the Postgres schema
first, as npm start does.

Exit status: 0 done; 1 Postgres disabled, unreachable, or the key store refused; 2 for a usage error.`,
} satisfies Command;

const { positionals, values } = parseCommandLine(command);
const [subcommand, a, b] = positionals;

/** Refuses a command line with no subcommand, an unknown one, or too few or too many arguments for it. */
function checkArguments() {
  const shape = subcommand === undefined ? undefined : subcommands.get(subcommand);
  if (!shape)
    throw new UsageError(
      subcommand === undefined
        ? `no command given (${[...subcommands.keys()].join(", ")})`
        : `unknown command '${subcommand}'`,
    );
  const args = positionals.slice(1);
  if (args.length > shape.takes || !args.slice(0, shape.needs).every(Boolean) || args.length < shape.needs)
    throw new UsageError(`usage: npm run keys -- ${shape.synopsis}`);
  if (!subcommand?.startsWith("create") && (values.scopes !== undefined || values.expires !== undefined))
    throw new UsageError("--scopes and --expires go with create and create-admin only");
}

/** The new key's scopes and expiry from the flags (checked before Postgres is touched). */
const keyOptions = () => ({
  ...(values.scopes !== undefined ? { scopes: parseScopes(values.scopes) } : {}),
  ...(values.expires !== undefined ? { expiresAt: parseExpiry(values.expires) } : {}),
});

const describeKey = (k: ApiKeyInfo) =>
  `scopes ${k.scopes.join(",")}, ${k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : "does not expire"}`;

runMain(command, async () => {
  checkArguments();
  const options = keyOptions();
  const [{ loadConfig }, { createMemory }, { silentLogger }, { resolveEnv }] = await Promise.all([
    import("../../shared/config/index.js"),
    import("../../shared/runtime/create-memory.js"),
    import("../../shared/util/logger.js"),
    import("../local/resolve-env.js"),
  ]);
  const config = loadConfig((await resolveEnv()).env);
  if (!config.postgres.enabled) throw new CliError("API keys live in Postgres, which is disabled");
  const memory = createMemory(config, { logger: silentLogger });
  await memory.manager.initializeTiers();
  const { keys } = memory;
  try {
    if (subcommand === "create" && a && b) {
      const { key, info } = await keys.create(a, b, options);
      console.log(
        `Created key ${info.id} for tenant ${info.tenantId} (${info.name}; ${describeKey(info)}). Store it now; it is not shown again:\n${key}`,
      );
    } else if (subcommand === "create-admin" && a) {
      const { key, info } = await keys.createAdmin(a, options);
      console.log(
        `Created console key ${info.id} (${info.name}; ${describeKey(info)}). It opens /console only. Store it now; it is not shown again:\n${key}`,
      );
    } else if (subcommand === "list") {
      for (const k of await keys.list(a))
        console.log(
          `${k.id}  ${k.tenantId}  ${k.name}  ${k.scopes.join(",")}  created ${k.createdAt.toISOString()}  ${k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : "no expiry"}${k.revokedAt ? "  REVOKED" : k.expiresAt && k.expiresAt <= new Date() ? "  EXPIRED" : ""}`,
        );
    } else if (subcommand === "revoke" && a) {
      console.log((await keys.revoke(a)) ? `Revoked ${a}.` : `No active key ${a}.`);
    }
    return 0;
  } finally {
    await memory.close();
  }
});
