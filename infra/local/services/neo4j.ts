/**
 * Starts a real Neo4j Community server (Bolt only) from the small Java launcher in infra/local/neo4j,
 * built once with Maven and cached in its target/ folder. Authentication is on: user neo4j's password
 * is set at every start (a new random one unless given), and the server counts as started once the
 * launcher has set it.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import neo4j from "neo4j-driver";
import { logDir, neo4jProject } from "../paths.js";
import { freePort, spawnLogged, waitFor } from "../process-utils.js";
import { newSecret } from "./guard.js";

const jar = join(neo4jProject, "target/neo4j-local-1.0.0.jar");

export interface RunningNeo4j {
  uri: string;
  user: string;
  password: string;
  child: ChildProcess;
}

const sources = ["pom.xml", "src/main/java/memory/local/Neo4jLocal.java"].map((f) => join(neo4jProject, f));

/** Builds the launcher unless a build newer than its sources exists (downloads Neo4j the first time). */
export function ensureNeo4jBuilt(): void {
  const built = existsSync(jar) && existsSync(join(neo4jProject, "target/lib"));
  if (built && sources.every((source) => statSync(source).mtimeMs <= statSync(jar).mtimeMs)) return;
  console.log("[local] building the Neo4j launcher with Maven (first run only)...");
  execFileSync("mvn", ["-B", "-q", "package", "-DskipTests"], { cwd: neo4jProject, stdio: "inherit" });
}

/**
 * Starts Neo4j on `port` (a free one by default) with `password` for user neo4j (a new random one by
 * default; give the same one to restart it for clients that already have it).
 */
export async function startNeo4j(
  homeDir: string,
  port?: number,
  password: string = newSecret(),
): Promise<RunningNeo4j> {
  ensureNeo4jBuilt();
  mkdirSync(homeDir, { recursive: true });
  const chosen = port ?? (await freePort());
  const ready = join(homeDir, "launcher-ready");
  rmSync(ready, { force: true });
  const classpath = `${jar}:${join(neo4jProject, "target/lib/*")}`;
  const child = spawnLogged(
    `neo4j-${chosen}`,
    javaBinary(),
    ["-Xmx768m", "-XX:+UseSerialGC", "-cp", classpath, "memory.local.Neo4jLocal", homeDir, String(chosen)],
    // In the environment: a command line is visible to every process on the machine.
    { env: { HM_LOCAL_NEO4J_PASSWORD: password } },
  );
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  await waitFor("Neo4j", async () => existsSync(ready) || exited(), 120_000).catch((error: Error) => {
    child.kill("SIGTERM");
    throw error;
  });
  if (exited())
    throw new Error(
      `the Neo4j launcher exited (${child.exitCode ?? child.signalCode}); see ${join(logDir, `neo4j-${chosen}.log`)}`,
    );
  const uri = `bolt://127.0.0.1:${chosen}`;
  await warmUp(uri, password).catch((error: Error) => {
    child.kill("SIGTERM");
    throw error;
  });
  return { uri, user: "neo4j", password, child };
}

/**
 * A few authenticated queries before anyone counts on it: a fresh server's first login and query
 * take seconds (class loading, JIT), past the memory's 2 s health ping.
 */
async function warmUp(uri: string, password: string) {
  const driver = neo4j.driver(uri, neo4j.auth.basic("neo4j", password));
  try {
    await waitFor(
      "Neo4j's first query",
      async () => {
        await driver.executeQuery("RETURN 1");
        return true;
      },
      60_000,
    );
    for (let i = 0; i < 5; i++) await driver.executeQuery("MATCH (n) RETURN count(n) AS n");
  } finally {
    await driver.close();
  }
}

/** Neo4j 5.26 runs on Java 17 or 21; JAVA_HOME wins when set. */
function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin/java") : "java";
}
