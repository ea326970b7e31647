/**
 * What the emulation's bridges rely on, without any service: the production clients (the Neon
 * driver over `ws`, `@upstash/redis` over fetch) send no `Origin` header, which every browser sends;
 * and the Neon bridge refuses an Origin or a missing token before it dials "Postgres" (here a TCP
 * echo server), while the driver's own URL (`${wsProxy}?address=host:port`) gets through.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { startNeonBridge } from "../../infra/local/services/neon-bridge.js";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";
import { createRedisClient } from "../../shared/tiers/redis/client.js";

const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((close) => close())));

/** An HTTP server that records the headers of each request (and upgrade) it gets. */
async function recorder(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    answer(req, res);
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket, req) => {
    seen.push(req.headers);
    socket.close();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    wss.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

describe("the production clients send no Origin", () => {
  it("the Neon driver's WebSocket (through createPostgresPool)", async () => {
    const { port, seen } = await recorder((_req, res) => res.writeHead(426).end());
    const pool = createPostgresPool({
      enabled: true,
      url: "postgresql://postgres@127.0.0.1:5432/none",
      maxConnections: 1,
      wsProxy: `127.0.0.1:${port}/v2/some-token`,
      secureWebSocket: false,
    });
    await pool.query("SELECT 1").catch(() => undefined);
    await pool.end().catch(() => undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.upgrade).toBe("websocket");
    expect(seen[0]).not.toHaveProperty("origin");
    expect(seen[0]).not.toHaveProperty("sec-websocket-origin");
  });

  it("@upstash/redis", async () => {
    const { port, seen } = await recorder((req, res) => {
      const base64 = req.headers["upstash-encoding"] === "base64";
      const pong = { result: base64 ? Buffer.from("PONG").toString("base64") : "PONG" };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(req.url === "/" ? pong : [pong]));
    });
    const redis = createRedisClient({
      enabled: true,
      url: `http://127.0.0.1:${port}`,
      token: "t",
      db: 0,
      keyPrefix: "hm:0:",
    });
    expect(await redis.ping()).toBe("PONG");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBe("Bearer t");
    expect(seen[0]).not.toHaveProperty("origin");
  });
});

describe("the Neon bridge", async () => {
  // "Postgres": echoes what it gets, so a piped connection shows itself.
  const echo: Server = createTcpServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => echo.close(resolve)));
  const bridge = await startNeonBridge({ pgHost: "127.0.0.1", pgPort: (echo.address() as AddressInfo).port });
  closers.push(() => bridge.close());
  const [hostPort = "", ...rest] = bridge.wsProxy.split("/");
  const path = `/${rest.join("/")}`;

  /** Opens a WebSocket; resolves with the echo of "ping", or the HTTP status that refused it. */
  const open = (url: string, headers: Record<string, string> = {}) =>
    new Promise<string | number>((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      socket.once("open", () => socket.send("ping"));
      socket.once("message", (data) => {
        resolve(String(data));
        socket.terminate();
      });
      socket.once("unexpected-response", (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      socket.once("error", reject);
    });

  it("names its token in the path of its URL: 127.0.0.1:PORT/v2/<token>", () => {
    expect(bridge.wsProxy).toMatch(/^127\.0\.0\.1:\d+\/v2\/[0-9a-f]{48}$/);
  });

  it("pipes the URL the driver builds from it (wsProxy + ?address=host:port)", async () => {
    expect(await open(`ws://${bridge.wsProxy}?address=db.example:5432`)).toBe("ping");
  });

  it("refuses an Origin header (403), whatever the origin", async () => {
    for (const origin of ["https://evil.example", "null", `http://${hostPort}`])
      expect(await open(`ws://${bridge.wsProxy}`, { origin }), origin).toBe(403);
  });

  it("refuses a missing or wrong token (403)", async () => {
    expect(await open(`ws://${hostPort}/v2`)).toBe(403);
    expect(await open(`ws://${hostPort}/v2/`)).toBe(403);
    expect(await open(`ws://${hostPort}/v2/${"0".repeat(48)}`)).toBe(403);
    expect(await open(`ws://${hostPort}${path.slice(0, -1)}`)).toBe(403);
    expect(await open(`ws://${hostPort}${path}/more`)).toBe(403);
    expect(await open(`ws://${hostPort}/${path.split("/")[2]}`)).toBe(403);
  });

  it("answers a plain HTTP request with an Origin header 403", async () => {
    const res = await fetch(`http://${bridge.wsProxy}`, { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});
