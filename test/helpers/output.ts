/** Captures what the process writes (stdout, stderr and console) and returns its JSON lines: logs, EMF metrics. */
import { vi } from "vitest";

export function captureJsonLines(): () => Record<string, unknown>[] {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  // Powertools writes WARN and ERROR to stderr.
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, "write").mockImplementation(capture);
  for (const method of ["log", "info", "warn"] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => capture(args.join(" ")));
  return () =>
    chunks
      .flatMap((c) => c.split("\n"))
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
}
