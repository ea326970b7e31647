/** The bulk import's requests and answers (zod, with their OpenAPI descriptions). */
import { z } from "@hono/zod-openapi";
import { importFormats } from "../import/records.js";

export const ImportFormat = z.enum(importFormats).openapi({
  description:
    "ndjson: one exchange or note per line (the native format); openai: one chat transcript (`messages`) per line; mem0: a Mem0 memory export (a JSON document or one memory per line).",
  example: "ndjson",
});

/**
 * Media types a request may carry the lines in (JSON is a location request). Not application/jsonl:
 * zod-openapi takes any application/json* type for JSON and would parse the lines as one document.
 */
export const lineMediaTypes = [
  "application/x-ndjson",
  "application/x-jsonlines",
  "text/plain",
  "application/octet-stream",
] as const;

export const ImportQuery = z.object({
  format: ImportFormat.default("ndjson"),
});

export const ImportLocationRequest = z
  .object({
    format: ImportFormat.default("ndjson"),
    location: z.string().min(1).max(4096).openapi({
      description:
        "Where the file is: a URL under one of the service's allowed prefixes (in the cloud, the import bucket: e.g. a presigned S3 GET URL), or locally an absolute file path in an allowed directory.",
      example: "/tmp/history.ndjson",
    }),
  })
  .strict()
  .openapi("ImportLocationRequest");

export const ImportParams = z.object({
  id: z.uuid({ error: "must be an import id (a UUID)" }).openapi({
    param: { name: "id", in: "path" },
    example: "7f1e4c3a-2b8d-4e6f-9a01-3c5d7e9f1b2a",
  }),
});

export const ImportListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const ImportErrorsQuery = z.object({
  /** Lines after this one. */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const LineError = z.object({
  line: z
    .number()
    .int()
    .openapi({ description: "The line (1 = the first; an item's position in a JSON export)." }),
  reason: z.string(),
});

const Totals = z.object({
  total: z.number().int().nullable().openapi({ description: "Lines of the file; null until read." }),
  done: z.number().int().openapi({ description: "Lines of committed batches." }),
  imported: z.number().int().openapi({ description: "Memories written by this import." }),
  existing: z
    .number()
    .int()
    .openapi({ description: "Memories already stored (an earlier import of the same lines)." }),
  erased: z
    .number()
    .int()
    .openapi({ description: "Memories of users erased before their batch: never written." }),
  refused: z.number().int().openapi({ description: "Lines refused; each is listed with its reason." }),
});

export const ImportView = z
  .object({
    id: z.uuid(),
    format: ImportFormat,
    state: z.enum(["running", "completed", "failed"]),
    source: z.enum(["body", "location"]),
    lines: Totals,
    batches: z.object({ total: z.number().int().nullable(), done: z.number().int() }),
    errors: z.array(LineError).openapi({ description: "The first refused lines; the rest at /errors." }),
    validation: z
      .object({ sampled: z.number().int(), matched: z.number().int(), score: z.number() })
      .nullable()
      .openapi({
        description: "Sampled lines found in the archive as imported, once the import has completed.",
      }),
    pendingTiers: z.array(z.string()).openapi({
      description:
        "Tiers still missing some of a completed import's memories (a write failed; the background worker retries it): empty once every tier holds everything it was given.",
    }),
    error: z.string().nullable().openapi({ description: "Why a failed import stopped." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Import");

export const ImportList = z.object({ imports: z.array(ImportView) }).openapi("ImportList");

export const ImportErrorsPage = z
  .object({
    errors: z.array(LineError),
    nextAfter: z.number().int().optional().openapi({ description: "Pass as `after` for the next page." }),
  })
  .openapi("ImportErrors");
