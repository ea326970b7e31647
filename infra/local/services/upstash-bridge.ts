/**
 * An Upstash-compatible REST endpoint in front of a real Redis, so `@upstash/redis` runs unmodified
 * locally. Implements what the client uses: `POST /` (one command), `/pipeline`, `/multi-exec`,
 * bearer-token auth and the `Upstash-Encoding: base64` response encoding. A request that carries an
 * `Origin` header comes from a web page (the client sends none): it gets 403, token or not (guard.ts).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis as IORedis } from "ioredis";
import { fromBrowser, sameSecret } from "./guard.js";
import { ScriptTranslator } from "./upstash-scripts.js";

type Reply = Buffer | string | number | null | Reply[];
type Encoded = string | number | null | Encoded[];
type Outcome = { result: Encoded } | { error: string };

export interface UpstashBridge {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export async function startUpstashBridge(options: {
  redisUrl: string;
  token: string;
  port?: number;
}): Promise<UpstashBridge> {
  // No offline queue: while Redis is down every command fails at once, as a real outage would,
  // instead of being replayed later behind the caller's back.
  const redis = new IORedis(options.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on("error", () => undefined);
  await redis.connect();
  const server = createServer((req, res) => {
    handle(redis, options.token, req, res).catch((error: unknown) => {
      send(res, 500, { error: `bridge: ${(error as Error).message}` });
    });
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}

async function handle(redis: IORedis, token: string, req: IncomingMessage, res: ServerResponse) {
  if (fromBrowser(req.headers))
    return send(res, 403, { error: "Forbidden: requests from web pages are refused" });
  if (!authorized(req.headers.authorization, token)) return send(res, 401, { error: "Unauthorized" });
  if (req.method !== "POST") return send(res, 405, { error: "Only POST is supported" });
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const encode = (reply: Reply) => encodeReply(reply, base64);
  const body = await readJson(req);
  const path = (req.url ?? "/").split("?")[0];

  if (path === "/pipeline" || path === "/multi-exec") {
    if (!isCommandList(body)) return send(res, 400, { error: "body must be an array of commands" });
    const outcomes =
      path === "/pipeline" ? await runPipeline(redis, body, encode) : await runMulti(redis, body, encode);
    return send(res, 200, outcomes);
  }
  if (!isCommand(body)) return send(res, 400, { error: "body must be a command array" });
  const outcome = await runOne(redis, body, encode);
  return send(res, "error" in outcome ? 400 : 200, outcome);
}

async function runOne(redis: IORedis, command: unknown[], encode: (r: Reply) => Encoded): Promise<Outcome> {
  const [name, args] = split(command);
  try {
    return { result: encode((await redis.callBuffer(name, ...args)) as Reply) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

// Commands run in order; each answers for itself, as Upstash's pipeline does.
async function runPipeline(redis: IORedis, commands: unknown[][], encode: (r: Reply) => Encoded) {
  const pipeline = redis.pipeline();
  for (const command of commands) {
    const [name, args] = split(command);
    pipeline.callBuffer(name, ...args);
  }
  return toOutcomes((await pipeline.exec()) ?? [], encode);
}

async function runMulti(redis: IORedis, commands: unknown[][], encode: (r: Reply) => Encoded) {
  const multi = redis.multi();
  for (const command of commands) {
    const [name, args] = split(command);
    multi.callBuffer(name, ...args);
  }
  try {
    return toOutcomes((await multi.exec()) ?? [], encode);
  } catch (error) {
    return commands.map(() => ({ error: (error as Error).message }));
  }
}

function toOutcomes(results: [Error | null, unknown][], encode: (r: Reply) => Encoded): Outcome[] {
  return results.map(([error, reply]) =>
    error ? { error: error.message } : { result: encode(reply as Reply) },
  );
}

export function encodeReply(reply: Reply, base64: boolean): Encoded {
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  // ioredis turns HGETALL's flat array into an object; Upstash answers with the flat array.
  if (reply && typeof reply === "object" && !Buffer.isBuffer(reply))
    return Object.entries(reply).flatMap(([field, value]) => [
      encodeReply(field, base64),
      encodeReply(value as Reply, base64),
    ]);
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  if (typeof reply === "string") return base64 ? Buffer.from(reply).toString("base64") : reply;
  return reply;
}

function authorized(header: string | undefined, token: string): boolean {
  return sameSecret(header ?? "", `Bearer ${token}`);
}

const scripts = new ScriptTranslator();

/** JSON arguments (strings and numbers) become Redis arguments; the first is the command name. */
function split(command: unknown[]): [string, string[]] {
  const [name = "", ...args] = command.map(String);
  return [name, scripts.translate(name, args)];
}

const isCommand = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;
const isCommandList = (v: unknown): v is unknown[][] => Array.isArray(v) && v.every(isCommand);

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function listen(server: Server, port: number, host = "127.0.0.1"): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}
