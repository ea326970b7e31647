/** A window's vector is the unit-length mean of its exchanges' vectors: each text is embedded once. */
import { describe, expect, it } from "vitest";
import { windowVector } from "../../../shared/memory/projection/windows.js";

const norm = (v: number[]) => Math.hypot(...v);
const cosine = (a: number[], b: number[]) =>
  a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0) / (norm(a) * norm(b));

describe("windowVector", () => {
  it("is the normalized mean of the exchanges' vectors", () => {
    const v = windowVector([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(v[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(v[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(v[2]).toBe(0);
    expect(norm(v)).toBeCloseTo(1, 12);
  });

  it("is a lone exchange's own vector, and leans toward the exchanges it holds", () => {
    expect(windowVector([[0.6, 0.8]])).toEqual([0.6, 0.8]);
    const a = [1, 0, 0];
    const b = [0, 0, 1];
    const v = windowVector([a, a, b]);
    expect(cosine(v, a)).toBeGreaterThan(cosine(v, b));
  });

  it("gives an empty vector for no exchanges, and zeros (not NaN) when they cancel out", () => {
    expect(windowVector([])).toEqual([]);
    expect(
      windowVector([
        [1, -1],
        [-1, 1],
      ]),
    ).toEqual([0, 0]);
  });
});
