/**
 * Where a process spent its CPU: reads a V8 .cpuprofile (node --cpu-prof) and prints self time by
 * package (or our own top-level folder) and the hottest functions.
 *
 *   npm run bench:profile -- FILE.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { CliError, type Command, parseCommandLine, runMain, UsageError } from "../infra/cli/run-cli.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const command = {
  name: "bench:profile",
  usage: ["npm run bench:profile -- FILE.cpuprofile [--top N]"],
  about: `
Where a process spent its CPU: reads a V8 .cpuprofile (node --cpu-prof, or npm run bench -- --cpu-profile
DIR) and prints the sampled total, then self time by owner (an npm package, our own top-level folder, or
node's internals) and the hottest functions, each as a share of the total and in ms.`,
  options: {
    top: { type: "string", value: "N", default: "25", description: "rows in each list" },
  },
  positionals: true,
  notes: "Exit status: 0 printed; 1 the file could not be read; 2 for a usage error.",
} satisfies Command;

const { values, positionals } = parseCommandLine(command);

/** node_modules/<package> (scoped too), our own top folder, or node's internals. */
export function ownerOf(url: string): string {
  if (!url) return "(native, GC, idle)";
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1] ?? url;
  if (url.startsWith("node:")) return "node internals";
  const own = url.match(/\/(shared|infra|functions|bench)\/([^/]+)/);
  return own ? `${own[1]}/${own[2]}` : url;
}

function summarize(profile: CpuProfile, top: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const owner = ownerOf(frame.url);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const name = `${frame.functionName || "(anonymous)"} ${owner}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
      )
      .join("\n");
  return `total ${(total / 1e6).toFixed(1)} s sampled\n\nby owner:\n${rows(owners)}\n\nhottest functions:\n${rows(functions)}`;
}

runMain(command, async () => {
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError("no FILE.cpuprofile given");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}': one profile at a time`);
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  console.log(summarize(profile, Number(values.top)));
});
