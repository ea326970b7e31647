/** Lambda entry point for the HTTP API: config (with its secret) and clients are created once per container. */
import { handle } from "hono/aws-lambda";
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { createApp } from "../shared/http/app.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";

const config = await loadConfigWithSecrets();
export const app = createApp({ config, memory: HierarchicalMemoryManager.fromConfig(config) });
export const handler = handle(app);
