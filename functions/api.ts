/** Lambda entry point for the HTTP API: config and clients are created once per container. */
import { handle } from "hono/aws-lambda";
import { loadConfig } from "../shared/config/index.js";
import { createApp } from "../shared/http/app.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";

const config = loadConfig();
export const app = createApp({ config, memory: HierarchicalMemoryManager.fromConfig(config) });
export const handler = handle(app);
