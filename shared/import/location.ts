/**
 * Where a large import is read from: a URL under one of the configured prefixes (in the cloud, the
 * import bucket's address, e.g. a presigned S3 URL), or a file in one of the configured local
 * directories (the emulation). Anything else is refused when the import is created, so the service
 * never fetches or opens what a tenant merely names (no server-side request forgery, no reading of
 * the server's own files).
 */
import { open, realpath } from "node:fs/promises";
import { isAbsolute, resolve, sep } from "node:path";
import { InvalidInputError } from "../errors/memory-error.js";

export interface LocationPolicy {
  urlPrefixes: readonly string[];
  localDirs: readonly string[];
  maxObjectBytes: number;
}

export type Location = { kind: "url"; url: string } | { kind: "file"; path: string };

const within = (path: string, dir: string) => {
  const base = resolve(dir);
  return path === base || path.startsWith(base.endsWith(sep) ? base : base + sep);
};

/** The location as the policy allows it, or a clear refusal. */
export function checkLocation(location: string, policy: LocationPolicy): Location {
  if (/^https?:\/\//i.test(location)) {
    if (!policy.urlPrefixes.some((p) => location.startsWith(p)))
      throw new InvalidInputError(
        policy.urlPrefixes.length === 0
          ? "location: this service reads no URLs (HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES is empty); send the lines as the body"
          : `location: must start with one of ${policy.urlPrefixes.join(", ")}`,
      );
    return { kind: "url", url: location };
  }
  if (!isAbsolute(location))
    throw new InvalidInputError("location: must be an http(s):// URL or an absolute file path");
  const path = resolve(location);
  if (!policy.localDirs.some((dir) => within(path, dir)))
    throw new InvalidInputError(
      policy.localDirs.length === 0
        ? "location: this service reads no local files (HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS is empty)"
        : `location: a file path must be under ${policy.localDirs.join(", ")}`,
    );
  return { kind: "file", path };
}

/** The text at the location, refused beyond `maxObjectBytes`. */
export async function readLocation(location: string, policy: LocationPolicy): Promise<string> {
  const where = checkLocation(location, policy);
  return where.kind === "url" ? readUrl(where.url, policy.maxObjectBytes) : readFile(where.path, policy);
}

async function readFile(path: string, policy: LocationPolicy): Promise<string> {
  // A symbolic link inside an allowed directory must not lead out of it.
  const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInputError(`location: cannot read the file (${error.code ?? "error"})`);
  });
  checkLocation(real, policy);
  const file = await open(real, "r");
  try {
    const { size } = await file.stat();
    if (size > policy.maxObjectBytes) throw tooLarge(policy.maxObjectBytes);
    return await file.readFile("utf8");
  } finally {
    await file.close();
  }
}

async function readUrl(url: string, maxBytes: number): Promise<string> {
  const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(120_000) });
  if (!response.ok || !response.body)
    throw new InvalidInputError(`location: the URL answered ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const tooLarge = (max: number) =>
  new InvalidInputError(
    `location: the file is larger than ${max} bytes (HIERARCHICAL_MEMORY_IMPORT_MAX_OBJECT_BYTES)`,
  );
