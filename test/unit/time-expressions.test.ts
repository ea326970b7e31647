import { describe, expect, it } from "vitest";
import { timeRangesIn } from "../../shared/processing/time-expressions.js";

const now = new Date("2023-11-20T15:00:00Z");
const iso = (text: string) =>
  timeRangesIn(text, now).map((r) => [r.start.toISOString().slice(0, 10), r.end.toISOString().slice(0, 10)]);

describe("timeRangesIn", () => {
  it("reads a day written in the usual ways", () => {
    for (const text of [
      "What did Gina find on 1 February, 2023?",
      "what happened on the 1st of February 2023",
      "What did she say on February 1, 2023?",
      "on Feb 1st 2023",
      "on February 1,2023",
      "log of 2023-02-01",
    ])
      expect(iso(text), text).toEqual([["2023-02-01", "2023-02-02"]]);
  });

  it("reads a month with or without its year", () => {
    expect(iso("What did Maria donate in December 2022?")).toEqual([["2022-12-01", "2023-01-01"]]);
    expect(iso("Which spot did Joanna visit in May?")).toEqual([["2023-05-01", "2023-06-01"]]);
    // December has not begun yet in November 2023: the latest December is 2022's.
    expect(iso("What kind of deal did John get in December?")).toEqual([["2022-12-01", "2023-01-01"]]);
    expect(iso("How often did we go to the beach in 2022?")).toEqual([["2022-01-01", "2023-01-01"]]);
  });

  it("reads relative words against now", () => {
    expect(iso("what did I tell you yesterday")).toEqual([["2023-11-19", "2023-11-20"]]);
    expect(iso("what did we talk about last week")).toEqual([["2023-11-06", "2023-11-21"]]);
    expect(iso("the film I mentioned three weeks ago")).toEqual([["2023-10-23", "2023-11-07"]]);
    expect(iso("anything from last month")).toEqual([["2023-10-01", "2023-11-21"]]);
  });

  it("prefers a named date over relative words, which then refer to that date", () => {
    expect(iso("What was Tim's issue last week, as mentioned on November 6, 2023?")).toEqual([
      ["2023-11-06", "2023-11-07"],
    ]);
  });

  it("finds several periods, and none where the text names no time", () => {
    expect(iso("between 3 March 2023 and 5 April 2023")).toEqual([
      ["2023-03-03", "2023-03-04"],
      ["2023-04-05", "2023-04-06"],
    ]);
    for (const text of [
      "What are Joanna's hobbies?",
      "May I ask about the 2023 plan?",
      "scored 12 points in 45 minutes",
    ])
      expect(iso(text), text).toEqual([]);
  });

  it("ignores dates the calendar lacks or no conversation is about", () => {
    expect(iso("on 31 February 2023")).toEqual([]);
    expect(iso("on 2023-13-01")).toEqual([]);
    expect(iso("on 31 December 9999 or in May 0042")).toEqual([]);
  });
});
