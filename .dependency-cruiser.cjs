/**
 * The layering of shared/ (docs/architecture.md), checked by `npm run lint`. Each rule names what a
 * layer must not import; type-only imports count too.
 */
const layer = (name) => `^shared/${name}/`;
const any = (...names) => `^shared/(${names.join("|")})/`;
const implementations = "^shared/tiers/(postgres|redis|chroma|neo4j|index\\.ts)";
const drivers =
  "^node_modules/(@neondatabase/serverless|@upstash/redis|@upstash/ratelimit|chromadb|neo4j-driver|ioredis)/";

const forbid = (name, comment, from, to) => ({ name, comment, severity: "error", from, to });

/** The layers above the vocabulary, lowest first (tiers and processing side by side). */
const stack = [
  "tiers",
  "processing",
  "memory",
  "migration",
  "import",
  "runtime",
  "api",
  "http",
  "mcp",
  "console",
  "app",
  "client",
];
/** Every layer above `name` in the stack. */
const above = (name) => any(...stack.slice(stack.indexOf(name) + 1));

module.exports = {
  forbidden: [
    forbid(
      "no-cycles",
      "Modules of shared/ must not import each other in a circle.",
      { path: "^shared/" },
      { circular: true },
    ),
    forbid(
      "vocabulary-stays-at-the-bottom",
      "config, domain, errors and util are imported by every layer and import none of them.",
      { path: any("config", "domain", "errors", "util") },
      { path: any(...stack) },
    ),
    forbid(
      "tiers-know-no-one-above",
      "A store knows its driver and the vocabulary, nothing that uses it.",
      { path: layer("tiers") },
      { path: above("tiers") },
    ),
    forbid(
      "processing-is-pure",
      "Embedders, summarizers and extractors do not touch stores or the layers above.",
      { path: layer("processing") },
      { path: any(...stack.filter((x) => x !== "processing")) },
    ),
    forbid(
      "memory-below-its-users",
      "The memory does not know the migration, the composition root or any edge.",
      { path: layer("memory") },
      { path: above("memory") },
    ),
    forbid(
      "migration-below-the-edges",
      "The migration does not know the composition root or any edge.",
      { path: layer("migration") },
      { path: above("migration") },
    ),
    forbid(
      "import-below-the-edges",
      "The bulk import runs on the migration engine and knows no composition root or edge.",
      { path: layer("import") },
      { path: above("import") },
    ),
    forbid(
      "ports-not-implementations",
      "Above the tiers, stores are reached through their ports; only the composition root builds them.",
      { path: any("memory", "migration", "import", "api", "http", "mcp", "console", "app", "client") },
      { path: implementations },
    ),
    forbid(
      "drivers-stay-in-their-tier",
      "Only a tier implementation imports a database driver.",
      { path: "^shared/", pathNot: "^shared/tiers/(postgres|redis|chroma|neo4j)/" },
      { path: drivers },
    ),
    forbid(
      "runtime-below-the-edges",
      "The composition root builds the memory; the edges use it, not the other way round.",
      { path: layer("runtime") },
      { path: above("runtime") },
    ),
    forbid(
      "edges-skip-no-layer",
      "The edges reach stores only through the memory's services, never through a port or a store.",
      { path: any("api", "http", "mcp", "console", "app") },
      { path: layer("tiers") },
    ),
    forbid(
      "shared-edge-knows-no-edge",
      "shared/api is the vocabulary of the edges; it imports none of them.",
      { path: layer("api") },
      { path: any("http", "mcp", "console", "app") },
    ),
    forbid(
      "http-alone",
      "The REST edge imports neither MCP nor the console.",
      { path: layer("http") },
      { path: any("mcp", "console", "app") },
    ),
    forbid(
      "mcp-alone",
      "The MCP edge imports neither REST nor the console.",
      { path: layer("mcp") },
      { path: any("http", "console", "app") },
    ),
    forbid(
      "console-alone",
      "The console imports neither REST nor MCP.",
      { path: layer("console") },
      { path: any("http", "mcp", "app") },
    ),
    forbid(
      "client-is-standalone",
      "The typed client ships on its own: it imports only the API's types (and its own modules).",
      { path: layer("client") },
      { path: "^shared/", pathNot: any("api", "client") },
    ),
    forbid(
      "shared-is-self-contained",
      "The library never imports entry points, tools, benchmarks or tests.",
      { path: "^shared/" },
      { path: "^(functions|infra|bench|test)/" },
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^(shared|functions|infra|bench|test|node_modules)/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    exclude: { path: "(^|/)(cdk\\.out|\\.local)/" },
  },
};
