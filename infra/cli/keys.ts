/**
 * API keys: `npm run keys -- create <tenant> <name>` | `create-admin <name>` | `list [tenant]` | `revoke <keyId>`.
 * Uses the configured Postgres (or the local emulation when nothing is configured). A new key is
 * printed once; only its hash is stored.
 */
import { ApiKeyStore } from "../../shared/auth/api-keys.js";
import { loadConfig } from "../../shared/config/index.js";
import { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import { resolveEnv } from "../local/resolve-env.js";

const usage =
  "usage: npm run keys -- create <tenant> <name> | create-admin <name> | list [tenant] | revoke <keyId>";

async function main(): Promise<number> {
  const [command, a, b] = process.argv.slice(2);
  const memory = HierarchicalMemoryManager.fromConfig(loadConfig((await resolveEnv()).env));
  const pool = memory.clients.postgres;
  if (!pool) throw new Error("API keys live in Postgres, which is disabled");
  await memory.ensureInitialized();
  const keys = new ApiKeyStore(pool);
  try {
    if (command === "create" && a && b) {
      const { key, info } = await keys.create(a, b);
      console.log(
        `Created key ${info.id} for tenant ${info.tenantId} (${info.name}). Store it now; it is not shown again:\n${key}`,
      );
    } else if (command === "create-admin" && a) {
      const { key, info } = await keys.createAdmin(a);
      console.log(
        `Created console key ${info.id} (${info.name}). It opens /console only. Store it now; it is not shown again:\n${key}`,
      );
    } else if (command === "list") {
      for (const k of await keys.list(a))
        console.log(
          `${k.id}  ${k.tenantId}  ${k.name}  created ${k.createdAt.toISOString()}${k.revokedAt ? "  REVOKED" : ""}`,
        );
    } else if (command === "revoke" && a) {
      console.log((await keys.revoke(a)) ? `Revoked ${a}.` : `No active key ${a}.`);
    } else {
      console.error(usage);
      return 2;
    }
    return 0;
  } finally {
    await memory.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
