/**
 * Neon's serverless driver speaks the Postgres wire protocol inside a WebSocket. This bridge
 * accepts those WebSockets on `/v2` and pipes each one to a TCP connection to the local Postgres.
 * It always dials the configured Postgres, whatever `address` the client names.
 */
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { WebSocketServer } from "ws";
import { listen } from "./upstash-bridge.js";

export interface NeonBridge {
  /** Value for HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY, e.g. "127.0.0.1:PORT/v2". */
  readonly wsProxy: string;
  close(): Promise<void>;
}

export async function startNeonBridge(options: {
  pgHost: string;
  pgPort: number;
  port?: number;
}): Promise<NeonBridge> {
  const server = createServer((_req, res) => res.writeHead(426).end("WebSocket only"));
  const wss = new WebSocketServer({ server, path: "/v2" });
  wss.on("connection", (socket) => {
    const tcp = connect(options.pgPort, options.pgHost);
    tcp.setNoDelay(true);
    tcp.on("data", (data) => socket.send(data));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.terminate());
    socket.on("message", (data) => tcp.write(data as Buffer));
    socket.on("close", () => tcp.end());
    socket.on("error", () => tcp.destroy());
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    wsProxy: `127.0.0.1:${port}/v2`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
