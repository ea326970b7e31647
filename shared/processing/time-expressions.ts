/**
 * The periods a query points at: "on 13 October 2023", "in May 2023", "in June", "2023-05-08",
 * "yesterday", "last week", "three months ago". The archive favours exchanges from those periods
 * ("what did I say about the move in March?"). Absolute dates win: relative words are read against
 * `now` only when the query names no date, since "last week, as mentioned on 6 November" means the
 * week before that date, not before today. All in UTC; pure, so unit-tested without services.
 */

import type { TimeRange } from "../domain/time.js";

export type { TimeRange };

const monthNames = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
/** Full names and three-letter abbreviations ("sept" too), longest first so "june" beats "jun". */
const monthPattern = [...monthNames, ...monthNames.map((m) => m.slice(0, 3)), "sept"]
  .sort((a, b) => b.length - a.length)
  .join("|");
const monthOf = (name: string) => monthNames.findIndex((m) => m.startsWith(name.slice(0, 3)));

const day = 86_400_000;
/** Midnight UTC; unlike Date.UTC, year 42 stays 42 rather than becoming 1942. */
const utc = (year: number, month: number, date = 1) => {
  const d = new Date(0);
  d.setUTCFullYear(year, month, date);
  return d;
};
/** Undefined for a day the calendar lacks (31 February). */
const dayRange = (year: number, month: number, date: number): TimeRange | undefined => {
  const start = utc(year, month, date);
  if (start.getUTCMonth() !== month || start.getUTCDate() !== date) return undefined;
  return { start, end: utc(year, month, date + 1) };
};
const monthRange = (year: number, month: number): TimeRange => ({
  start: utc(year, month),
  end: utc(year, month + 1),
});

type Rule = [RegExp, (m: RegExpExecArray, now: Date) => TimeRange | undefined];

const ordinal = "(\\d{1,2})(?:st|nd|rd|th)?";
const absolute: Rule[] = [
  [/\b(\d{4})-(\d{2})-(\d{2})\b/g, (m) => dayRange(+(m[1] ?? 0), +(m[2] ?? 0) - 1, +(m[3] ?? 0))],
  [
    new RegExp(`\\b${ordinal}\\s+(?:of\\s+)?(${monthPattern})\\.?,?\\s*(\\d{4})\\b`, "g"),
    (m) => dayRange(+(m[3] ?? 0), monthOf(m[2] ?? ""), +(m[1] ?? 0)),
  ],
  [
    new RegExp(`\\b(${monthPattern})\\.?\\s+${ordinal},?\\s*(\\d{4})\\b`, "g"),
    (m) => dayRange(+(m[3] ?? 0), monthOf(m[1] ?? ""), +(m[2] ?? 0)),
  ],
  [
    new RegExp(`\\b(${monthPattern})\\.?,?\\s+(\\d{4})\\b`, "g"),
    (m) => monthRange(+(m[2] ?? 0), monthOf(m[1] ?? "")),
  ],
  // A month without a year: the latest one that has begun.
  [
    new RegExp(`\\b(?:in|during|of|since|last)\\s+(${monthNames.join("|")})\\b`, "g"),
    (m, now) => {
      const month = monthOf(m[1] ?? "");
      return monthRange(now.getUTCFullYear() - (month > now.getUTCMonth() ? 1 : 0), month);
    },
  ],
  [
    /\b(?:in|during|of)\s+((?:19|20)\d{2})\b/g,
    (m) => ({ start: utc(+(m[1] ?? 0), 0), end: utc(+(m[1] ?? 0) + 1, 0) }),
  ],
];

const counts: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };
const unitDays: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

const relative: Rule[] = [
  [/\byesterday\b/g, (_, now) => ({ start: new Date(today(now) - day), end: new Date(today(now)) })],
  [/\b(?:today|tonight)\b/g, (_, now) => ({ start: new Date(today(now)), end: new Date(today(now) + day) })],
  [
    /\b(?:last|past) (?:week|weekend)\b|\bthis week\b/g,
    (_, now) => ({ start: new Date(today(now) - 14 * day), end: new Date(today(now) + day) }),
  ],
  [
    /\b(?:last|past|this) month\b/g,
    (_, now) => ({
      start: utc(now.getUTCFullYear(), now.getUTCMonth() - 1),
      end: new Date(today(now) + day),
    }),
  ],
  [
    /\b(?:last|past|this) year\b/g,
    (_, now) => ({ start: utc(now.getUTCFullYear() - 1, 0), end: new Date(today(now) + day) }),
  ],
  [
    /\b(\d{1,3}|an?|one|two|three|four|five|six) (day|week|month|year)s? ago\b/g,
    (m, now) => {
      const n = counts[m[1] ?? ""] ?? Number(m[1]);
      const unit = (unitDays[m[2] ?? ""] ?? 1) * day;
      // "three weeks ago" is vague by about a unit either way.
      return {
        start: new Date(today(now) - (n + 1) * unit),
        end: new Date(today(now) - (n - 1) * unit + day),
      };
    },
  ],
];

/** Years a conversation can be about; also keeps every bound a plain four-digit ISO year. */
const plausible = ({ start, end }: TimeRange) =>
  start < end && start.getUTCFullYear() >= 1900 && end.getUTCFullYear() <= 2200;

const today = (now: Date) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

/** The periods the text names, in the order found; none when it names no time. */
export function timeRangesIn(text: string, now: Date): TimeRange[] {
  const lower = text.toLowerCase();
  const taken: [number, number][] = [];
  const found = (rules: Rule[]) => {
    const ranges: TimeRange[] = [];
    for (const [pattern, toRange] of rules)
      for (const m of lower.matchAll(pattern)) {
        const at = m.index ?? 0;
        if (taken.some(([a, b]) => at < b && at + m[0].length > a)) continue;
        // Taken even when it is no date (31 February): a looser rule must not reread it.
        taken.push([at, at + m[0].length]);
        const range = toRange(m as RegExpExecArray, now);
        if (range && plausible(range)) ranges.push(range);
      }
    return ranges;
  };
  const dates = found(absolute);
  return dates.length > 0 ? dates : found(relative);
}
