/** Turns free text into a safe OR tsquery: only word characters survive, so no tsquery syntax gets in. */
import { contentWords } from "../../processing/text.js";

export function tsQuery(text: string): string {
  return [...new Set(contentWords(text))].slice(0, 32).join(" | ");
}
