/**
 * Sends one webhook attempt: a POST that answers with the receiver's status, or fails with a code
 * (timeout, refused, dns, tls, reset, unreachable, private-address). Node's http(s) client rather
 * than fetch, for one reason: its `lookup` hook checks every address a host resolves to against the
 * URL policy at the moment of connecting, so a name that resolves to a private address is refused
 * however it was registered. Redirects are not followed (a 3xx is a failed attempt), and no
 * connection is reused, so each attempt resolves afresh.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isAllowedAddress, type UrlPolicy } from "./url-policy.js";

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface WebhookAnswer {
  status: number;
  /** What the receiver's Retry-After header asks for, ms. */
  retryAfterMs?: number;
}

/** One attempt; rejects with a DeliveryError when no HTTP answer came. */
export type WebhookTransport = (request: WebhookRequest) => Promise<WebhookAnswer>;

/** No answer from the receiver; `code` says why, without the driver's text. */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`webhook not delivered: ${code}`, options);
    this.name = "DeliveryError";
  }
}

const userAgent = "hierarchical-memory-webhooks/1.0";

export function httpTransport(policy: UrlPolicy): WebhookTransport {
  const lookup = guardedLookup(policy);
  return (request) =>
    new Promise<WebhookAnswer>((resolve, reject) => {
      const url = new URL(request.url);
      const host = url.hostname.replace(/^\[|\]$/g, "");
      // An address in the URL is never looked up: checked here instead.
      if (isIP(host) !== 0 && !isAllowedAddress(host, policy)) {
        reject(new DeliveryError("private-address"));
        return;
      }
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": userAgent,
            "content-length": String(Buffer.byteLength(request.body)),
            ...request.headers,
          },
          lookup,
          agent: false,
          signal: AbortSignal.timeout(request.timeoutMs),
        },
        (res) => {
          // The status is the answer; the body is not read.
          res.on("error", () => undefined);
          res.resume();
          resolve({ status: res.statusCode ?? 0, retryAfterMs: retryAfterOf(res) });
        },
      );
      req.on("error", (error) => reject(asDeliveryError(error)));
      req.end(request.body);
    });
}

/** dns.lookup that refuses a host when any address it resolves to is not allowed. */
function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      const first = addresses?.[0];
      if (error || !first) {
        callback(error ?? new DeliveryError("dns"), "", 0);
        return;
      }
      if (addresses.some((a) => !isAllowedAddress(a.address, policy))) {
        callback(new DeliveryError("private-address"), "", 0);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function retryAfterOf(res: IncomingMessage): number | undefined {
  const value = res.headers["retry-after"];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const codes: [RegExp, string][] = [
  [/^(ETIMEDOUT|ESOCKETTIMEDOUT)$/, "timeout"],
  [/^ECONNREFUSED$/, "refused"],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NODATA|EAI_NONAME)$/, "dns"],
  [/^(ECONNRESET|EPIPE|ECONNABORTED)$/, "reset"],
  [/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/, "unreachable"],
  [/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/, "tls"],
];

function asDeliveryError(error: Error & { code?: string }): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error.cause instanceof DeliveryError) return error.cause;
  if (error.name === "TimeoutError" || error.name === "AbortError")
    return new DeliveryError("timeout", { cause: error });
  const code = error.code ?? "";
  return new DeliveryError(codes.find(([pattern]) => pattern.test(code))?.[1] ?? "failed", { cause: error });
}
