/**
 * What keeps a web page the developer visits out of the emulation. Every service listens on 127.0.0.1
 * only, which a page in the browser still reaches. But a browser always sends `Origin` on a WebSocket
 * upgrade and on a POST (and on any cross-origin request), and the production clients in Node send
 * none; and a page cannot read the emulation's secrets (.local/env, mode 600). So each bridge refuses
 * any request with an Origin, and wants its secret: the Upstash bridge as its bearer token, the Neon
 * bridge in its URL's path. Neo4j wants its password.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** A fresh secret for one start of a service: 48 hex digits. */
export const newSecret = (): string => randomBytes(24).toString("hex");

/** The request comes from a web page (or says it does): it names the page's origin. */
export function fromBrowser(headers: IncomingHttpHeaders): boolean {
  return headers.origin !== undefined || headers["sec-websocket-origin"] !== undefined;
}

/** Compares a secret in constant time (for equal lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
