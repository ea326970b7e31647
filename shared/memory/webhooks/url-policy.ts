/**
 * Where the memory may send a webhook. An endpoint URL is a request the service makes on a tenant's
 * say-so, so it must not reach the service's own network (server-side request forgery): only
 * https://, only public addresses. Checked twice: the URL when it is registered, and every address
 * its host resolves to when a delivery connects (a public name can later resolve to a private
 * address). Locally, with `allowLoopback`, a receiver on this machine (http:// too) is allowed.
 */
import { BlockList, isIP } from "node:net";
import { InvalidInputError } from "../../errors/memory-error.js";

export interface UrlPolicy {
  /** Loopback addresses and `localhost` (over http:// too); the local emulation only. */
  allowLoopback: boolean;
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * Not reachable on the public internet, or not meant to be: IANA special-purpose blocks. (An IPv4
 * rule also covers the address IPv4-mapped, ::ffff:a.b.c.d.)
 */
const special = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  special.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 127],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const)
  special.addSubnet(net, bits, "ipv6");

const family = (address: string) => (isIP(address) === 6 ? "ipv6" : "ipv4");

export const isLoopback = (address: string) =>
  isIP(address) !== 0 && loopback.check(address, family(address));

/** Whether a delivery may connect to this address under the policy. */
export function isAllowedAddress(address: string, policy: UrlPolicy): boolean {
  if (isIP(address) === 0) return false;
  if (isLoopback(address)) return policy.allowLoopback;
  return !special.check(address, family(address));
}

/** Names that only ever mean a machine of one's own network. */
const privateName = /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|home\.arpa)$/i;
const isLocalhostName = (host: string) => /(^|\.)localhost$/i.test(host);

const refuse = (reason: string) => new InvalidInputError(`url: ${reason}`, { field: "url" });

/** The endpoint URL as it will be called (normalized); InvalidInputError says what is wrong. */
export function checkEndpointUrl(raw: string, policy: UrlPolicy): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("must be an absolute https:// URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse("must be an https:// URL");
  if (url.username || url.password)
    throw refuse("must not carry a user name or password (the signature proves the sender)");
  // Brackets off an IPv6 literal, and the root's dot off a name ("localhost." is localhost).
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  const local = isLocalhostName(host) || isLoopback(host);
  if (url.protocol === "http:" && !(local && policy.allowLoopback))
    throw refuse(
      "must be an https:// URL (http:// only to this machine, where the local emulation allows it)",
    );
  if (local && !policy.allowLoopback) throw refuse("must not point at this machine (loopback)");
  if (local) return url.href;
  if (isIP(host) !== 0) {
    if (!isAllowedAddress(host, policy)) throw refuse(`${host} is not a public address`);
    return url.href;
  }
  if (!host.includes(".") || privateName.test(host)) throw refuse(`${host} is not a public host name`);
  return url.href;
}
