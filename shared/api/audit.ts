/** Who asked, for the audit trail: the API key's id (never the key), the tenant, the request. */
import type { Context } from "hono";
import type { AppEnv } from "./hono-env.js";

export const requester = (c: Context<AppEnv>) => ({
  tenantId: c.get("tenantId"),
  keyId: c.get("keyId"),
  requestId: c.get("requestId"),
});
