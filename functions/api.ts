/** Lambda entry point for the HTTP API: config (with its secret), stores and services are built once per container. */
import { handle } from "hono/aws-lambda";
import { createApp } from "../shared/app/create-app.js";
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { createMemory } from "../shared/runtime/create-memory.js";

export const app = createApp(createMemory(await loadConfigWithSecrets()));
export const handler = handle(app);
