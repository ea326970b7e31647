/**
 * A typed client for bot developers. Request and response types are inferred from the same zod
 * schemas the server validates with, so client and API cannot drift apart. Works wherever `fetch`
 * does (Node 18+, Deno, Bun, browsers, edge runtimes).
 */
import type { z } from "@hono/zod-openapi";
import type { FilterJson } from "../api/filter-json.js";
import type { ImportErrorsPage, ImportFormat, ImportList, ImportView } from "../api/import-schemas.js";
import type {
  CorrectionRequest,
  CorrectionResponse,
  NoteRequest,
  VersionsResponse,
} from "../api/memory-schemas.js";
import type {
  ContextRequest,
  ContextResponse,
  EraseResponse,
  ExchangeView,
  ExportResponse,
  ListQuery,
  ListResponse,
  Problem,
  SessionsResponse,
  StoreRequest,
  StoreResponse,
} from "../api/schemas.js";
import type {
  DeliveriesPage,
  DeliveriesQuery,
  DeliveryView,
  EndpointCreated,
  EndpointPatchRequest,
  EndpointRequest,
  EndpointView,
} from "../api/webhook-schemas.js";

export {
  type VerifyOptions,
  verifyWebhook,
  type WebhookEvent,
  WebhookVerificationError,
} from "./webhooks.js";

export type StoreInput = z.input<typeof StoreRequest>;
export type StoreResult = z.infer<typeof StoreResponse>;
export type ContextInput = Omit<z.input<typeof ContextRequest>, "filter"> & { filter?: FilterJson };
export type Context = z.infer<typeof ContextResponse>;
export type ExchangePage = z.infer<typeof ListResponse>;
export type PageInput = Omit<Partial<z.input<typeof ListQuery>>, "limit" | "filter"> & {
  limit?: number;
  /** Only exchanges whose metadata and time match (README, "Filters"). */
  filter?: FilterJson;
};
export type { FilterJson };
export type Sessions = z.infer<typeof SessionsResponse>;
export type UserExport = z.infer<typeof ExportResponse>;
export type Memory = z.infer<typeof ExchangeView>;
export type MemoryVersions = z.infer<typeof VersionsResponse>;
export type CorrectionInput = z.input<typeof CorrectionRequest>;
export type Correction = z.infer<typeof CorrectionResponse>;
export type NoteInput = z.input<typeof NoteRequest>;
/** The notes listing takes what the archive listing takes. */
export type NotesPageInput = PageInput;
/** What a delete answers: nothing pending (erased everywhere), or the tiers the worker still erases. */
export type Forgotten = Pick<z.infer<typeof EraseResponse>, "pending">;

export type WebhookInput = z.input<typeof EndpointRequest>;
export type WebhookPatch = z.input<typeof EndpointPatchRequest>;
export type Webhook = z.infer<typeof EndpointView>;
/** An endpoint with its signing secret: what creating it and rotating its secret answer, once. */
export type WebhookWithSecret = z.infer<typeof EndpointCreated>;
export type WebhookDelivery = z.infer<typeof DeliveryView>;
export type WebhookDeliveryPage = z.infer<typeof DeliveriesPage>;
export type WebhookDeliveriesInput = Omit<Partial<z.input<typeof DeliveriesQuery>>, "limit"> & {
  limit?: number;
};

export type ImportFormatName = z.infer<typeof ImportFormat>;
/** An import: its state, line counts, batches, first refused lines and validation. */
export type Import = z.infer<typeof ImportView>;
export type ImportErrors = z.infer<typeof ImportErrorsPage>;
export type ImportErrorsInput = {
  /** Lines after this one (a page's `nextAfter`). Default: 0. */
  after?: number;
  /** Default: 100; at most 1000. */
  limit?: number;
};
export interface ImportOptions {
  /** The file's format (README, "Bulk import"). Default: ndjson. */
  format?: ImportFormatName;
}
export interface WaitOptions {
  /** Between two reads. Default: 1000. */
  intervalMs?: number;
  /** Then `waitForImport` throws (the import goes on). Default: 600000 (10 minutes). */
  timeoutMs?: number;
}

/** The API answered with an application/problem+json error. */
export class MemoryApiError extends Error {
  constructor(readonly problem: z.infer<typeof Problem>) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "MemoryApiError";
  }
  get status() {
    return this.problem.status;
  }
}

export interface MemoryClientOptions {
  /** Base URL, e.g. https://abc.execute-api.eu-west-1.amazonaws.com */
  baseUrl: string;
  apiKey: string;
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch;
}

export class MemoryClient {
  private readonly fetch: typeof fetch;
  constructor(private readonly options: MemoryClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Stores an exchange; with `idempotencyKey`, a retry returns the first answer. */
  store(userId: string, exchange: StoreInput, idempotencyKey?: string): Promise<StoreResult> {
    const headers: Record<string, string> = idempotencyKey ? { "idempotency-key": idempotencyKey } : {};
    return this.call("POST", `${user(userId)}/conversations`, exchange, headers);
  }

  /** What to remember for `query`. A user with no memory yet gets an empty context. */
  async context(userId: string, request: ContextInput): Promise<Context> {
    try {
      return await this.call("POST", `${user(userId)}/context`, request);
    } catch (error) {
      if (error instanceof MemoryApiError && error.status === 404)
        return { userId, items: [], degraded: [], timings: {}, totalMs: 0 };
      throw error;
    }
  }

  /** A page of the archive, newest first; with `sessionId`, `agentId` or `filter`, only what they select. */
  conversations(userId: string, { filter, ...page }: PageInput = {}): Promise<ExchangePage> {
    const query = queryOf({ ...page, ...(filter ? { filter: JSON.stringify(filter) } : {}) });
    return this.call("GET", `${user(userId)}/conversations${query}`);
  }

  /** The user's sessions, most recently active first. */
  sessions(userId: string, options: { limit?: number } = {}): Promise<Sessions> {
    return this.call("GET", `${user(userId)}/sessions${queryOf(options)}`);
  }

  /** One exchange or note by id (its `version` too); a 404 for an unknown id or another user's. */
  memory(userId: string, id: string): Promise<Memory> {
    return this.call("GET", memory(userId, id));
  }

  /** The earlier versions of an exchange or note, oldest first, with who replaced each and when. */
  versions(userId: string, id: string): Promise<MemoryVersions> {
    return this.call("GET", `${memory(userId, id)}/versions`);
  }

  /** Corrects an exchange (or a note: text, source); every tier recomputes it. Answers the new version. */
  correct(userId: string, id: string, correction: CorrectionInput): Promise<Correction> {
    return this.call("PATCH", memory(userId, id), correction);
  }

  /** Erases one exchange or note from every tier; `pending` names tiers the worker still erases. */
  async forget(userId: string, id: string): Promise<Forgotten> {
    const answer = await this.call<z.infer<typeof EraseResponse> | undefined>("DELETE", memory(userId, id));
    return { pending: answer?.pending ?? [] };
  }

  /** Stores a note (a fact the bot or an operator states); with `idempotencyKey`, a retry returns the first answer. */
  note(userId: string, note: NoteInput, idempotencyKey?: string): Promise<StoreResult> {
    const headers: Record<string, string> = idempotencyKey ? { "idempotency-key": idempotencyKey } : {};
    return this.call("POST", `${user(userId)}/notes`, note, headers);
  }

  /** A page of the user's notes, newest first. */
  notes(userId: string, { filter, ...page }: NotesPageInput = {}): Promise<ExchangePage> {
    const query = queryOf({ ...page, ...(filter ? { filter: JSON.stringify(filter) } : {}) });
    return this.call("GET", `${user(userId)}/notes${query}`);
  }

  export(userId: string): Promise<UserExport> {
    return this.call("GET", `${user(userId)}/export`);
  }

  async erase(userId: string): Promise<void> {
    await this.call("DELETE", user(userId));
  }

  /** Registers a webhook endpoint; keep the answer's `secret` (shown only now) to verify deliveries. */
  createWebhook(endpoint: WebhookInput): Promise<WebhookWithSecret> {
    return this.call("POST", "/v1/webhooks", endpoint);
  }

  /** The tenant's endpoints, each with its latest delivery. */
  async listWebhooks(): Promise<Webhook[]> {
    return (await this.call<{ endpoints: Webhook[] }>("GET", "/v1/webhooks")).endpoints;
  }

  getWebhook(id: string): Promise<Webhook> {
    return this.call("GET", webhook(id));
  }

  /** Changes an endpoint; `{ enabled: true }` enables one the service disabled after failures. */
  updateWebhook(id: string, patch: WebhookPatch): Promise<Webhook> {
    return this.call("PATCH", webhook(id), patch);
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.call("DELETE", webhook(id));
  }

  /** A new secret; the old one also signs for `keepPreviousForSeconds` (default a day). */
  rotateWebhookSecret(
    id: string,
    options: { keepPreviousForSeconds?: number } = {},
  ): Promise<WebhookWithSecret> {
    return this.call("POST", `${webhook(id)}/rotate-secret`, options);
  }

  /** Sends a test event now; answers the delivery after its first attempt. */
  pingWebhook(id: string): Promise<WebhookDelivery> {
    return this.call("POST", `${webhook(id)}/ping`);
  }

  /** A page of an endpoint's deliveries, newest first. */
  webhookDeliveries(id: string, options: WebhookDeliveriesInput = {}): Promise<WebhookDeliveryPage> {
    return this.call("GET", `${webhook(id)}/deliveries${queryOf(options)}`);
  }

  /** Sends a delivery again now, from its first attempt. */
  retryWebhookDelivery(id: string, deliveryId: string): Promise<WebhookDelivery> {
    return this.call("POST", `${webhook(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`);
  }

  /**
   * Starts an import of these lines: one string (the file's text), or one line per item (an object
   * is serialized as one JSON line). Answers at once, with the import running; see `waitForImport`.
   */
  importLines(lines: string | readonly (string | object)[], options: ImportOptions = {}): Promise<Import> {
    const text = typeof lines === "string" ? lines : ndjson(lines);
    const query = queryOf({ format: options.format ?? "ndjson" });
    return this.send("POST", `${importsPath}${query}`, { type: "application/x-ndjson", text });
  }

  /** Starts an import of the file at `location`: a URL under an allowed prefix, or locally an allowed path. */
  importFrom(location: string, options: ImportOptions = {}): Promise<Import> {
    return this.call("POST", importsPath, { format: options.format ?? "ndjson", location });
  }

  getImport(id: string): Promise<Import> {
    return this.call("GET", importPath(id));
  }

  /** The tenant's imports, newest first (default 20, at most 100). */
  async listImports(options: { limit?: number } = {}): Promise<Import[]> {
    return (await this.call<z.infer<typeof ImportList>>("GET", `${importsPath}${queryOf(options)}`)).imports;
  }

  /** A page of an import's refused lines in line order; pass `nextAfter` as `after` for the next. */
  importErrors(id: string, options: ImportErrorsInput = {}): Promise<ImportErrors> {
    return this.call("GET", `${importPath(id)}/errors${queryOf(options)}`);
  }

  /** Reads the import until it is no longer running; throws when `timeoutMs` passes first. */
  async waitForImport(
    id: string,
    { intervalMs = 1000, timeoutMs = 600_000 }: WaitOptions = {},
  ): Promise<Import> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await this.getImport(id);
      if (current.state !== "running") return current;
      if (Date.now() + intervalMs > deadline)
        throw new Error(
          `import ${id} is still running after ${timeoutMs} ms (it goes on; read it with getImport)`,
        );
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** A JSON request (or none). */
  private call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const json = body === undefined ? undefined : { type: "application/json", text: JSON.stringify(body) };
    return this.send(method, path, json, headers);
  }

  /** A request with this body as it is (JSON, or an import's lines), answered as JSON or a MemoryApiError. */
  private async send<T>(
    method: string,
    path: string,
    body?: { type: string; text: string },
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, "")}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        ...(body === undefined ? {} : { "content-type": body.type }),
        ...headers,
      },
      body: body?.text,
    });
    if (response.status === 204) return undefined as T;
    const payload = (await response.json()) as T & z.infer<typeof Problem>;
    if (!response.ok) throw new MemoryApiError(payload);
    return payload;
  }
}

const user = (userId: string) => `/v1/users/${encodeURIComponent(userId)}`;
const webhook = (id: string) => `/v1/webhooks/${encodeURIComponent(id)}`;
const importsPath = "/v1/imports";
const importPath = (id: string) => `${importsPath}/${encodeURIComponent(id)}`;
const memory = (userId: string, id: string) => `${user(userId)}/conversations/${encodeURIComponent(id)}`;

/** One JSON line per object (a string is a line already), each ended by a newline. */
const ndjson = (lines: readonly (string | object)[]) =>
  lines.map((line) => `${typeof line === "string" ? line : JSON.stringify(line)}\n`).join("");

/** `?a=1&b=2` of the options that are set, or nothing. */
function queryOf(options: Record<string, string | number | undefined>) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options))
    if (value !== undefined) query.set(name, String(value));
  return query.size > 0 ? `?${query}` : "";
}
