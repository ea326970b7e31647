/**
 * Runs of the migration engine as the layers above the stores see them: a run's state, and a bulk
 * import (a run of kind import) with its tenant, format and source.
 */

export type RunState = "running" | "completed" | "failed" | "validated" | "rolled_back";

export interface ImportEntry {
  id: string;
  tenantId: string;
  format: string;
  state: RunState;
  options: Record<string, unknown>;
  /** The run's report at its end (validation, totals), as recorded with its state. */
  report: Record<string, unknown> | null;
  error: string | null;
  location: string | null;
  /** Whether the uploaded text is still kept (it goes when the import ends). */
  hasBody: boolean;
  units: number | null;
  /** When a runner took it (a Step Functions execution was started, or a process began it). */
  launchedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
