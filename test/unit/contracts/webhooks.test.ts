/** The webhook ports' contract against the in-memory endpoints, deliveries and tier incidents. */
import { uniqueIds } from "../../contracts/fixture.js";
import { webhooksContract } from "../../contracts/webhooks.contract.js";
import {
  InMemoryTierIncidents,
  InMemoryWebhookDeliveries,
  InMemoryWebhookEndpoints,
  WebhookState,
} from "../../in-memory/index.js";

const tenantIds = uniqueIds("t");

webhooksContract("in-memory", async () => {
  const state = new WebhookState();
  return {
    endpoints: new InMemoryWebhookEndpoints(state),
    deliveries: new InMemoryWebhookDeliveries(state),
    incidents: new InMemoryTierIncidents(),
    tenant: () => tenantIds().replace("/", "-"),
  };
});
