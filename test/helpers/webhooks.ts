/**
 * Webhook receivers for tests: a transport that answers as the test says (no network, for the unit
 * project), and a real HTTP server on this machine that records what it was sent and answers with
 * the status the test sets (integration).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";
import {
  DeliveryError,
  type WebhookRequest,
  type WebhookTransport,
} from "../../shared/memory/webhooks/transport.js";

/** What a receiver got: the headers, the body as sent, and the body parsed. */
export interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  event: { type: string; timestamp: string; data: Record<string, unknown> };
}

/** What to answer an attempt: a status (and a Retry-After in seconds), or no answer at all. */
export type Answer = number | { status: number; retryAfter?: number } | "no-answer";

const toReceived = (url: string, headers: Record<string, string>, body: string): Received => ({
  url,
  headers,
  body,
  event: JSON.parse(body) as Received["event"],
});

/** A transport that records each attempt and answers `answer(attempt)` (204 unless set otherwise). */
export function recordingTransport() {
  const received: Received[] = [];
  let answer: (n: number, request: WebhookRequest) => Answer = () => 204;
  const transport: WebhookTransport = async (request) => {
    received.push(toReceived(request.url, request.headers, request.body));
    const a = answer(received.length, request);
    if (a === "no-answer") throw new DeliveryError("timeout");
    if (typeof a === "number") return { status: a };
    return { status: a.status, retryAfterMs: a.retryAfter === undefined ? undefined : a.retryAfter * 1000 };
  };
  return {
    transport,
    received,
    answerWith(next: (n: number, request: WebhookRequest) => Answer) {
      answer = next;
    },
  };
}

const flat = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]),
  );

/** An HTTP receiver on 127.0.0.1 (closed after the file); `url(path)` is an endpoint on it. */
export async function startReceiver() {
  const received: Received[] = [];
  let answer: (n: number) => Answer = () => 204;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push(toReceived(req.url ?? "", flat(req.headers), body));
      const a = answer(received.length);
      if (a === "no-answer") return; // the request hangs until the sender gives up
      const { status, retryAfter } = typeof a === "number" ? { status: a, retryAfter: undefined } : a;
      res.writeHead(status, retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: (path = "/hooks") => `http://127.0.0.1:${port}${path}`,
    answerWith(next: (n: number) => Answer) {
      answer = next;
    },
    /** The deliveries of one event type, in the order they came. */
    of: (type: string) => received.filter((r) => r.event.type === type),
  };
}

/** The test vector of the Standard Webhooks reference libraries. */
export const standardVector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
