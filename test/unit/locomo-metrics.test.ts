import { describe, expect, it } from "vitest";
import { parseSessionDate } from "../../bench/locomo-data.js";
import { rankedDiaIds, recallAt, Samples } from "../../bench/locomo-metrics.js";

describe("LoCoMo benchmark metrics", () => {
  const diaIdOf = new Map([
    ["e1", "D1:1"],
    ["e2", "D1:2"],
    ["e3", "D1:3"],
  ]);
  const item = (ids: string[]) => ({
    source: "archive" as const,
    text: "",
    timestamp: "",
    score: 1,
    exchangeIds: ids,
  });

  it("flattens items into dia_ids in rank order, each once", () => {
    expect(rankedDiaIds([item(["e2"]), item(["e1", "e2", "e3"])], diaIdOf)).toEqual(["D1:2", "D1:1", "D1:3"]);
  });

  it("computes recall@k over the evidence", () => {
    expect(recallAt(["D1:2", "D1:1", "D1:3"], ["D1:1", "D1:3"], 2)).toBe(0.5);
    expect(recallAt(["D1:2", "D1:1", "D1:3"], ["D1:1", "D1:3"], 3)).toBe(1);
  });

  it("summarizes samples by name prefix", () => {
    const s = new Samples();
    s.add("recall:@5", 1);
    s.add("recall:@5", 0);
    s.add("ms:total", 10);
    expect(s.means("recall:")).toEqual({ "@5": 0.5 });
    expect(s.count("ms:")).toEqual({ total: 1 });
  });

  it("parses LoCoMo session dates", () => {
    expect(parseSessionDate("1:56 pm on 8 May, 2023").toISOString()).toBe("2023-05-08T13:56:00.000Z");
    expect(parseSessionDate("12:09 am on 13 September, 2023").toISOString()).toBe("2023-09-13T00:09:00.000Z");
    expect(() => parseSessionDate("yesterday")).toThrow(/unrecognized/);
  });
});

describe("benchmark report", () => {
  it("states the machine and renders every leaf value as a markdown row", async () => {
    const { machine, markdownReport } = await import("../../bench/report.js");
    expect(machine().cores).toBeGreaterThan(0);
    const md = markdownReport("T", { recall: { "@10": 0.5 }, sizes: [1, 2] });
    expect(md).toContain("| recall.@10 | 0.5 |");
    expect(md).toContain("| sizes | 1, 2 |");
  });
});
