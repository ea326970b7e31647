/** In-memory test double of the ImportStore port (shared/tiers/imports.ts), over the shared InMemoryDatabase. */
import type { ImportEntry, ImportStore, NewImport } from "../../shared/tiers/imports.js";
import { type ImportRow, type InMemoryDatabase, viaJson } from "./database.js";

export class InMemoryImports implements ImportStore {
  readonly #db: InMemoryDatabase;

  constructor(db: InMemoryDatabase) {
    this.#db = db;
  }

  async create(entry: NewImport): Promise<void> {
    if (this.#db.runs.has(entry.id)) throw new Error(`run ${entry.id} exists`);
    const now = new Date();
    this.#db.runs.set(entry.id, {
      id: entry.id,
      state: "running",
      options: viaJson(entry.options),
      integrity: null,
      error: null,
      startedAt: now,
      updatedAt: now,
    });
    this.#db.imports.set(entry.id, {
      tenantId: entry.tenantId,
      format: entry.format,
      body: entry.body ?? null,
      location: entry.location ?? null,
      units: entry.units ?? null,
      launchedAt: null,
      createdAt: now,
    });
  }

  async get(tenantId: string, id: string): Promise<ImportEntry | undefined> {
    const row = this.#db.imports.get(id);
    return row?.tenantId === tenantId ? this.#entry(id) : undefined;
  }

  async list(tenantId: string, limit: number): Promise<ImportEntry[]> {
    return this.#newest((row) => row.tenantId === tenantId, limit);
  }

  async recent(limit: number): Promise<ImportEntry[]> {
    return this.#newest(() => true, limit);
  }

  #newest(wanted: (row: ImportRow) => boolean, limit: number): ImportEntry[] {
    return [...this.#db.imports.entries()]
      .filter(([, row]) => wanted(row))
      .reverse()
      .sort(([, a], [, b]) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit)
      .flatMap(([id]) => this.#entry(id) ?? []);
  }

  async body(id: string): Promise<string | undefined> {
    return this.#db.imports.get(id)?.body ?? undefined;
  }

  async dropBody(id: string): Promise<void> {
    const row = this.#db.imports.get(id);
    if (row) row.body = null;
  }

  async setUnits(id: string, units: number): Promise<void> {
    const row = this.#db.imports.get(id);
    if (row) row.units = units;
  }

  async active(tenantId: string): Promise<number> {
    return [...this.#db.imports.entries()].filter(
      ([id, row]) => row.tenantId === tenantId && this.#db.runs.get(id)?.state === "running",
    ).length;
  }

  async claimLaunch(id: string): Promise<boolean> {
    const row = this.#db.imports.get(id);
    if (!row || row.launchedAt) return false;
    row.launchedAt = new Date();
    return true;
  }

  async unlaunched(limit: number): Promise<string[]> {
    return [...this.#db.imports.entries()]
      .filter(([id, row]) => !row.launchedAt && this.#db.runs.get(id)?.state === "running")
      .sort(([, a], [, b]) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map(([id]) => id);
  }

  #entry(id: string): ImportEntry | undefined {
    const row = this.#db.imports.get(id);
    const run = this.#db.runs.get(id);
    if (!row || !run) return undefined;
    return {
      id,
      tenantId: row.tenantId,
      format: row.format,
      state: run.state,
      options: viaJson(run.options),
      report: run.integrity && viaJson(run.integrity),
      error: run.error,
      location: row.location,
      hasBody: row.body !== null,
      units: row.units,
      launchedAt: row.launchedAt && new Date(row.launchedAt),
      createdAt: new Date(row.createdAt),
      updatedAt: new Date(run.updatedAt),
    };
  }
}
