/**
 * The import formats behind one pair of functions: cut a file into units, then turn each unit into
 * records or a reason. Neither throws on bad input, so one bad line is one line in the report, not
 * a failed import.
 */
import type { ImportFormat, ImportUnit, ParsedUnit } from "../records.js";
import { parseMem0, splitMem0 } from "./mem0.js";
import { parseNative } from "./ndjson.js";
import { parseOpenAi } from "./openai.js";
import { splitLines } from "./unit.js";

/**
 * The units of an import file: one per non-blank line (numbered as an editor shows lines), except
 * that a mem0 file may also be one JSON document (a list, or `{ results }` / `{ memories }`), whose
 * items are numbered from 1.
 */
export function splitUnits(format: ImportFormat, text: string): ImportUnit[] {
  return format === "mem0" ? splitMem0(text) : splitLines(text);
}

const parsers: Record<ImportFormat, (unit: ImportUnit) => ParsedUnit> = {
  ndjson: parseNative,
  openai: parseOpenAi,
  mem0: parseMem0,
};

/** The records of one unit, or `{ line, error }` with a short reason naming the field; never throws. */
export function parseUnit(format: ImportFormat, unit: ImportUnit): ParsedUnit {
  return parsers[format](unit);
}
