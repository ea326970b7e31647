/**
 * Where webhooks may go: https:// to public addresses only (no server-side request forgery into the
 * service's own network), checked when an endpoint is registered and again for every address its
 * host resolves to when a delivery connects; loopback (http:// too) only where the config allows it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../shared/errors/memory-error.js";
import { DeliveryError, httpTransport } from "../../../shared/memory/webhooks/transport.js";
import { checkEndpointUrl, isAllowedAddress } from "../../../shared/memory/webhooks/url-policy.js";

const cloud = { allowLoopback: false };
const local = { allowLoopback: true };

const refused = (url: string, policy = cloud) => {
  try {
    checkEndpointUrl(url, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error(`${url} was accepted`);
};

describe("endpoint URLs", () => {
  it("accepts https:// on public names and addresses, normalized", () => {
    expect(checkEndpointUrl("https://Hooks.Example.com/memory?x=1", cloud)).toBe(
      "https://hooks.example.com/memory?x=1",
    );
    expect(checkEndpointUrl("https://93.184.215.14:8443/h", cloud)).toBe("https://93.184.215.14:8443/h");
    expect(checkEndpointUrl("https://[2606:4700:4700::1111]/h", cloud)).toBe(
      "https://[2606:4700:4700::1111]/h",
    );
  });

  it("refuses what is not https://, or carries credentials", () => {
    expect(refused("http://hooks.example.com/h")).toMatch(/https:\/\//);
    expect(refused("ftp://hooks.example.com/h")).toMatch(/https:\/\//);
    expect(refused("hooks.example.com/h")).toMatch(/absolute/);
    expect(refused("https://user:pw@hooks.example.com/h")).toMatch(/user name or password/);
  });

  it("refuses private, link-local, loopback and special addresses, however they are written", () => {
    for (const url of [
      "https://10.0.0.7/h",
      "https://172.20.1.1/h",
      "https://192.168.1.10/h",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/h",
      "https://0.0.0.0/h",
      "https://127.0.0.1/h",
      "https://2130706433/h",
      "https://0x7f.1/h",
      "https://[::1]/h",
      "https://[fd00::1]/h",
      "https://[fe80::1]/h",
      "https://[::ffff:10.0.0.1]/h",
      "https://[64:ff9b::a00:1]/h",
      "https://224.0.0.1/h",
    ])
      expect(refused(url), url).toMatch(/not a public address|loopback/);
  });

  it("refuses names that only mean a machine of one's own network", () => {
    for (const url of [
      "https://localhost/h",
      "https://localhost./h",
      "https://api.localhost/h",
      "https://metadata.google.internal/h",
      "https://printer.local/h",
      "https://intranet/h",
      "https://router.home.arpa/h",
    ])
      expect(refused(url), url).toMatch(/not a public host name|loopback/);
  });

  it("allows this machine, over http:// too, only where the config does, and nothing else private", () => {
    expect(checkEndpointUrl("http://127.0.0.1:8080/h", local)).toBe("http://127.0.0.1:8080/h");
    expect(checkEndpointUrl("http://localhost:9/h", local)).toBe("http://localhost:9/h");
    expect(checkEndpointUrl("http://[::1]:9/h", local)).toBe("http://[::1]:9/h");
    expect(refused("http://127.0.0.1:8080/h")).toMatch(/https:\/\//);
    expect(refused("https://10.0.0.7/h", local)).toMatch(/not a public address/);
    expect(refused("http://hooks.example.com/h", local)).toMatch(/https:\/\//);
  });

  it("tells public addresses from the rest", () => {
    for (const a of ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111"])
      expect(isAllowedAddress(a, cloud), a).toBe(true);
    for (const a of ["10.1.1.1", "127.0.0.1", "::1", "fc00::1", "::ffff:192.168.0.1", "nonsense"])
      expect(isAllowedAddress(a, cloud), a).toBe(false);
    expect(isAllowedAddress("127.0.0.1", local)).toBe(true);
    expect(isAllowedAddress("192.168.0.1", local)).toBe(false);
  });
});

describe("the transport at connection time", () => {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(204).end();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = async () => {
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  };
  const send = (policy: { allowLoopback: boolean }, url: string) =>
    httpTransport(policy)({ url, headers: {}, body: "{}", timeoutMs: 2000 });

  it("refuses a name that resolves to a private address, and an address in the URL, before connecting", async () => {
    const p = await port();
    for (const url of [`http://localhost:${p}/by-name`, `http://127.0.0.1:${p}/by-address`]) {
      const error = await send(cloud, url).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).code).toBe("private-address");
    }
    expect(hits).toEqual([]);
  });

  it("connects to this machine where the policy allows it", async () => {
    const p = await port();
    expect(await send(local, `http://localhost:${p}/ok`)).toEqual({ status: 204, retryAfterMs: undefined });
    expect(hits).toEqual(["/ok"]);
  });

  it("names why an attempt got no answer", async () => {
    const error = await send(local, "http://127.0.0.1:1/closed").catch((e: unknown) => e);
    expect((error as DeliveryError).code).toBe("refused");
  });
});
