/**
 * The audit trail: who erased or exported whom, and when. Its own writer, so no log level can
 * silence it, with the key and request that asked; never message text.
 */

export type AuditEvent = Record<string, unknown> & { event: string };

export interface AuditLog {
  record(event: AuditEvent): void;
}

/** One JSON line on stdout per event (CloudWatch on Lambda), whatever LOG_LEVEL says. */
export const stdoutAudit: AuditLog = {
  record(event) {
    process.stdout.write(
      `${JSON.stringify({ level: "AUDIT", timestamp: new Date().toISOString(), service: "hierarchical-memory", ...event })}\n`,
    );
  },
};
