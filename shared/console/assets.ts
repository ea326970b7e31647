/**
 * The console's page, script and styles, served as they are (no bundler, no framework): plain DOM
 * code in the browser, every call to /console/api with the operator key in a header.
 *
 * They live as real files in ./assets (linted by Biome; the script type-checked by its own
 * tsconfig there) and are read once, at import, relative to this module. The Lambda bundle carries
 * them next to index.mjs at the same relative path (infra/cdk/memory-stack.ts copies
 * them there when it bundles the API function).
 */
import { readFileSync } from "node:fs";

const read = (file: string) => readFileSync(new URL(`./assets/${file}`, import.meta.url), "utf8");

export const consoleAssets: { page: string; script: string; styles: string } = {
  page: read("console.html"),
  script: read("console.js"),
  styles: read("console.css"),
};
