/**
 * Where a process spent its CPU: reads a V8 .cpuprofile (node --cpu-prof) and prints self time by
 * package (or our own top-level folder) and the hottest functions.
 *
 *   npm run bench:profile -- FILE.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});

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

if (positionals[0])
  console.log(summarize(JSON.parse(readFileSync(positionals[0], "utf8")) as CpuProfile, Number(values.top)));
else console.error("usage: npm run bench:profile -- FILE.cpuprofile");
