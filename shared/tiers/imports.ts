/**
 * Port: bulk imports, as a tenant sees them. An import is a run of the migration engine (kind
 * 'import': its state, batches, checkpoints and outbox rows are the MigrationRunStore's) plus what
 * only an import has: the tenant that owns it, its format, and its source (the uploaded text, kept
 * until the import ends, or the location it is read from). Another tenant's import is not found.
 * Implemented by PostgresImports.
 */
import type { ImportEntry } from "../domain/runs.js";

export type { ImportEntry };

export interface NewImport {
  id: string;
  tenantId: string;
  format: string;
  /** The run's options (JSON), as the MigrationRunStore keeps them. */
  options: Record<string, unknown>;
  /** Exactly one of: the text itself, or where to read it. */
  body?: string;
  location?: string;
  /** Units (lines) of the text, when known at creation. */
  units?: number;
}

export interface ImportStore {
  /** The run (state running, kind import) and the import, in one transaction. */
  create(entry: NewImport): Promise<void>;
  /** The tenant's import; undefined for an unknown id or another tenant's. */
  get(tenantId: string, id: string): Promise<ImportEntry | undefined>;
  /** The tenant's imports, newest first. */
  list(tenantId: string, limit: number): Promise<ImportEntry[]>;
  /** Every tenant's imports, newest first: the operator's view. */
  recent(limit: number): Promise<ImportEntry[]>;
  /** The uploaded text, while kept. */
  body(id: string): Promise<string | undefined>;
  /** Forgets the uploaded text (the import ended). */
  dropBody(id: string): Promise<void>;
  setUnits(id: string, units: number): Promise<void>;
  /** Imports of the tenant still running (a per-tenant limit). */
  active(tenantId: string): Promise<number>;
  /**
   * Marks a running import as taken by a runner; false when it was already taken (another process
   * launched it first), so each import is launched once.
   */
  claimLaunch(id: string): Promise<boolean>;
  /** Running imports no runner has taken yet, oldest first. */
  unlaunched(limit: number): Promise<string[]>;
}
