import { describe, expect, it } from "vitest";
import { encodeReply } from "../../infra/local/services/upstash-bridge.js";

describe("Upstash bridge reply encoding", () => {
  it("base64-encodes every bulk string, nested arrays included, and leaves numbers and nulls", () => {
    const reply = [Buffer.from("héllo"), 3, null, [Buffer.from([0, 255])]];
    expect(encodeReply(reply, true)).toEqual([Buffer.from("héllo").toString("base64"), 3, null, ["AP8="]]);
  });

  it("answers HGETALL as Upstash does, a flat field/value array, though ioredis made it an object", () => {
    const hash = { requests: Buffer.from("2"), errors: Buffer.from("0") } as unknown as Buffer;
    expect(encodeReply(hash, false)).toEqual(["requests", "2", "errors", "0"]);
    expect(encodeReply({} as unknown as Buffer, false)).toEqual([]);
  });

  it("returns UTF-8 text without the encoding header", () => {
    expect(encodeReply([Buffer.from("héllo"), "OK"], false)).toEqual(["héllo", "OK"]);
  });
});

describe("Upstash-only Lua flags", () => {
  it("strips allow-key-locking and keeps the flags Redis knows", async () => {
    const { stripUpstashFlags } = await import("../../infra/local/services/upstash-scripts.js");
    expect(stripUpstashFlags("#!lua flags=allow-key-locking\nreturn 1")).toBe("#!lua\nreturn 1");
    expect(stripUpstashFlags("#!lua flags=no-writes,allow-key-locking\nreturn 1")).toBe(
      "#!lua flags=no-writes\nreturn 1",
    );
    expect(stripUpstashFlags("return 1")).toBe("return 1");
  });
});
