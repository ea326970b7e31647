/** The webhook ports' contract against the Postgres stores, in a database of this file's own. */
import { PostgresTierIncidents } from "../../../shared/tiers/postgres/tier-incidents.js";
import { PostgresWebhookDeliveries } from "../../../shared/tiers/postgres/webhook-deliveries.js";
import { PostgresWebhookEndpoints } from "../../../shared/tiers/postgres/webhook-endpoints.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { webhooksContract } from "../../contracts/webhooks.contract.js";
import { privatePostgres } from "./real-stores.js";

const postgres = await privatePostgres();
const endpoints = new PostgresWebhookEndpoints(postgres.pool);
const deliveries = new PostgresWebhookDeliveries(postgres.pool);
const incidents = new PostgresTierIncidents(postgres.pool);
const tenantIds = uniqueIds("t");

webhooksContract("Postgres", async () => {
  await postgres.reset();
  return { endpoints, deliveries, incidents, tenant: () => tenantIds().replace("/", "-") };
});
