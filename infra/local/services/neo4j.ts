/**
 * Starts a real Neo4j Community server (Bolt only) from the small Java launcher in infra/local/neo4j,
 * built once with Maven and cached in its target/ folder.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { neo4jProject } from "../paths.js";
import { freePort, spawnLogged, tcpAnswers, waitFor } from "../process-utils.js";

const jar = join(neo4jProject, "target/neo4j-local-1.0.0.jar");

export interface RunningNeo4j {
  uri: string;
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

export async function startNeo4j(homeDir: string, port?: number): Promise<RunningNeo4j> {
  ensureNeo4jBuilt();
  mkdirSync(homeDir, { recursive: true });
  const chosen = port ?? (await freePort());
  const classpath = `${jar}:${join(neo4jProject, "target/lib/*")}`;
  const child = spawnLogged(`neo4j-${chosen}`, javaBinary(), [
    "-Xmx768m",
    "-XX:+UseSerialGC",
    "-cp",
    classpath,
    "memory.local.Neo4jLocal",
    homeDir,
    String(chosen),
  ]);
  await waitFor("Neo4j", () => tcpAnswers(chosen), 120_000);
  return { uri: `bolt://127.0.0.1:${chosen}`, child };
}

/** Neo4j 5.26 runs on Java 17 or 21; JAVA_HOME wins when set. */
function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin/java") : "java";
}
