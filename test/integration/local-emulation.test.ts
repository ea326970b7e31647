/**
 * The local emulation is not a door: a web page the developer visits must not reach its services.
 * Browsers always send `Origin` on a WebSocket upgrade and on a cross-origin (or any POST) request,
 * and cannot read the emulation's secrets, so the Neon bridge refuses any Origin and any upgrade
 * without its token, the Upstash bridge refuses any Origin even with its token, Neo4j wants its
 * password, and nothing listens beyond the loopback interface. The app's own clients still work.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { dirname } from "node:path";
import neo4j, { type AuthToken } from "neo4j-driver";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, tcpAnswers } from "../../infra/local/process-utils.js";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";
import { testConfig } from "../helpers/config.js";

const local = inject("localEnv");
const wsProxy = local.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY ?? "";
const bridge = new URL(`ws://${wsProxy}`);
/** The path the app's driver asks for: the bridge URL's path, then `?address=host:port`. */
const appPath = `${bridge.pathname}?address=127.0.0.1:5432`;
const evil = "https://evil.example";

interface Answer {
  status: number;
  /** The bridge closed the connection (within 2 s of answering). */
  closed: boolean;
}

/** A WebSocket upgrade sent by hand on a raw socket, so we see exactly what the bridge answers. */
function upgrade(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(bridge.port), bridge.hostname);
    let received = "";
    const status = () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: status(), closed });
    };
    const timer = setTimeout(() => done(false), 2_000);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      // Accepted: the connection now belongs to Postgres, which waits for us; no need to wait on.
      if (status() === 101 && received.includes("\r\n\r\n")) done(false);
    });
    socket.on("close", () => done(true));
    socket.on("error", reject);
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${bridge.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  });
}

describe("the Neon bridge", () => {
  it("accepts an upgrade on its URL without Origin (what the Neon driver sends)", async () => {
    expect(await upgrade(appPath)).toEqual({ status: 101, closed: false });
  });

  it("refuses an upgrade that carries an Origin header, even on its URL: 403 and closed", async () => {
    expect(await upgrade(appPath, { Origin: evil })).toEqual({ status: 403, closed: true });
    expect(await upgrade(appPath, { Origin: "null" })).toEqual({ status: 403, closed: true });
    expect(await upgrade(appPath, { Origin: `http://${bridge.host}` })).toEqual({
      status: 403,
      closed: true,
    });
  });

  it("refuses an upgrade without its token, or with another one: 403 and closed", async () => {
    expect(await upgrade("/v2?address=127.0.0.1:5432")).toEqual({ status: 403, closed: true });
    expect(await upgrade("/v2/")).toEqual({ status: 403, closed: true });
    const wrong = `/v2/${randomBytes(24).toString("hex")}?address=127.0.0.1:5432`;
    expect(await upgrade(wrong)).toEqual({ status: 403, closed: true });
    expect(await upgrade(`${bridge.pathname}/extra`)).toEqual({ status: 403, closed: true });
  });

  it("still carries the app's own connection (createPostgresPool with the emulation's env)", async () => {
    const pool = createPostgresPool(testConfig().postgres);
    try {
      const { rows } = await pool.query<{ one: number }>("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});

function post(url: string, headers: Record<string, string>, body: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("the Upstash bridge", () => {
  const url = local.HIERARCHICAL_MEMORY_REDIS_URL ?? "";
  const authorization = `Bearer ${local.HIERARCHICAL_MEMORY_REDIS_PASSWORD ?? ""}`;

  it("answers its token without Origin", async () => {
    expect(await post(url, { authorization }, ["PING"])).toEqual({ status: 200, body: '{"result":"PONG"}' });
  });

  it("refuses a request that carries an Origin header with 403, even with the right token", async () => {
    for (const path of ["/", "/pipeline", "/multi-exec"]) {
      const answer = await post(`${url}${path}`, { authorization, origin: evil }, ["PING"]);
      expect(answer.status, path).toBe(403);
      expect(answer.body).not.toContain("PONG");
    }
  });

  it("refuses a wrong token", async () => {
    expect((await post(url, { authorization: "Bearer nope" }, ["PING"])).status).toBe(401);
  });
});

describe("the local Neo4j", () => {
  const uri = local.HIERARCHICAL_MEMORY_NEO4J_URI ?? "";
  const user = local.HIERARCHICAL_MEMORY_NEO4J_USER ?? "neo4j";
  const password = local.HIERARCHICAL_MEMORY_NEO4J_PASSWORD ?? "";

  async function query(auth: AuthToken): Promise<unknown> {
    const driver = neo4j.driver(uri, auth, {
      connectionTimeout: 5_000,
      maxTransactionRetryTime: 0,
      disableLosslessIntegers: true,
    });
    try {
      const { records } = await driver.executeQuery("RETURN 1 AS one");
      return records[0]?.get("one");
    } finally {
      await driver.close();
    }
  }

  it("has a generated password in the emulation's env", () => {
    expect(password).toMatch(/^[0-9a-f]{32,}$/);
  });

  it("refuses a Bolt connection without the password", async () => {
    // No credentials at all (the driver's auth.none(), missing from its types).
    await expect(query({ scheme: "none", credentials: "" })).rejects.toMatchObject({
      code: expect.stringMatching(/^Neo\.ClientError\.Security\./),
    });
    await expect(query(neo4j.auth.basic("neo4j", "neo4j"))).rejects.toMatchObject({
      code: expect.stringMatching(/^Neo\.ClientError\.Security\./),
    });
  });

  it("accepts it with the password", async () => {
    expect(await query(neo4j.auth.basic(user, password))).toBe(1);
  });
});

/** This machine's addresses other than loopback: what another host (or a rebinding page) would reach. */
const outside = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a && !a.internal && !a.address.startsWith("fe80:"))
  .map((a) => a?.address ?? "");

describe("listening addresses", () => {
  it.skipIf(outside.length === 0)("every emulated service answers on loopback only", async () => {
    const ports = [
      new URL(local.HIERARCHICAL_MEMORY_REDIS_URL ?? "").port,
      bridge.port,
      new URL(local.HIERARCHICAL_MEMORY_CHROMADB_URL ?? "").port,
      new URL(local.HIERARCHICAL_MEMORY_NEO4J_URI ?? "").port,
    ].map(Number);
    for (const port of ports) {
      expect(await tcpAnswers(port, "127.0.0.1"), `127.0.0.1:${port}`).toBe(true);
      for (const address of outside)
        expect(await tcpAnswers(port, address), `${address}:${port}`).toBe(false);
    }
  });

  let server: ChildProcess | undefined;
  afterAll(async () => {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  });

  it.skipIf(outside.length === 0)(
    "`npm start` listens on HOST, 127.0.0.1 by default",
    { timeout: 90_000 },
    async () => {
      const root = new URL("../../", import.meta.url).pathname;
      const port = await freePort();
      const { HOST: _, ...inherited } = process.env;
      server = spawn(`${root}node_modules/.bin/tsx`, ["infra/local/start.ts"], {
        cwd: root,
        env: {
          ...inherited,
          ...local,
          PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
          PORT: String(port),
          LOG_LEVEL: "error",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const child = server;
      let output = "";
      await new Promise<void>((resolve, reject) => {
        const seen = (chunk: Buffer) => {
          output += chunk;
          if (output.includes("Listening on")) resolve();
        };
        child.stdout?.on("data", seen);
        child.stderr?.on("data", seen);
        child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
      });
      expect(await tcpAnswers(port, "127.0.0.1")).toBe(true);
      for (const address of outside)
        expect(await tcpAnswers(port, address), `${address}:${port}`).toBe(false);
      expect(output).toContain(`Listening on http://127.0.0.1:${port}`);
    },
  );
});
