/**
 * A TCP proxy in front of a real service that can misbehave on demand: pass traffic, delay it,
 * black-hole it (accept and never answer), or drop every open connection. Works for any protocol
 * (Bolt, HTTP, the Neon WebSocket), so the same faults apply to every tier.
 */
import { createConnection, createServer, type Socket } from "node:net";

export type FaultMode = { kind: "pass" } | { kind: "delay"; ms: number } | { kind: "blackhole" };

export interface FaultProxy {
  /** host:port to point a client at. */
  address: string;
  set(mode: FaultMode): void;
  /** Destroys every open connection, both sides, as a network failure would. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = { kind: "pass" };
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => s.destroy());
  };
  /** Forwards one direction, holding each chunk for the current delay (order kept). */
  const pipe = (from: Socket, to: Socket) => {
    let chain = Promise.resolve();
    from.on("data", (chunk) => {
      if (mode.kind === "blackhole") return;
      const wait = mode.kind === "delay" ? mode.ms : 0;
      chain = chain
        .then(() => new Promise((r) => setTimeout(r, wait)))
        .then(() => {
          if (!to.destroyed) to.write(chunk);
        });
    });
    from.on("close", () => chain.then(() => to.destroy()));
  };
  const server = createServer((client) => {
    track(client);
    const upstream = createConnection(target);
    track(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    set: (next) => {
      mode = next;
    },
    dropConnections: () => {
      for (const s of open) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
