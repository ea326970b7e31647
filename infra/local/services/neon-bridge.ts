/**
 * Neon's serverless driver speaks the Postgres wire protocol inside a WebSocket. This bridge
 * accepts those WebSockets on `/v2/<token>` and pipes each one to a TCP connection to the local
 * Postgres (superuser, trust auth: whoever gets through can do anything). So it refuses, with 403,
 * any upgrade that carries an `Origin` header (a browser's; the driver sends none) or another path
 * than its own, whose token is a secret of this start (see guard.ts). It always dials the configured
 * Postgres, whatever `address` the client names.
 */
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, connect } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { fromBrowser, newSecret, sameSecret } from "./guard.js";
import { listen } from "./upstash-bridge.js";

export interface NeonBridge {
  /**
   * Value for HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY, "127.0.0.1:PORT/v2/<token>": the driver asks
   * for `ws://${wsProxy}?address=host:port`, so the token travels in the path.
   */
  readonly wsProxy: string;
  close(): Promise<void>;
}

export async function startNeonBridge(options: {
  pgHost: string;
  pgPort: number;
  port?: number;
  /** The secret in the bridge's path; a new one by default (give the same one to restart it on its URL). */
  token?: string;
}): Promise<NeonBridge> {
  const path = `/v2/${options.token ?? newSecret()}`;
  const server = createServer((req, res) => {
    if (fromBrowser(req.headers)) res.writeHead(403).end("Forbidden");
    else res.writeHead(426).end("WebSocket only");
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (fromBrowser(req.headers) || !sameSecret((req.url ?? "").split("?")[0] ?? "", path))
      return refuse(socket);
    wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req));
  });
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
    wsProxy: `127.0.0.1:${port}${path}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers 403 and closes the connection (a refused upgrade gets no WebSocket). */
function refuse(socket: Duplex) {
  socket.on("error", () => socket.destroy());
  socket.once("finish", () => socket.destroy());
  socket.end(
    "HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nForbidden",
  );
}
