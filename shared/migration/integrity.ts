/**
 * Integrity of a migration run: a seeded sample of legacy records is compared with what each tier
 * holds (row present, content hash, time and legacy id in the archive; the record in its user's
 * cache, window summary and graph where it belongs), plus counts per sampled user and per kind.
 * The score is the share of checks that pass; under the configured minimum the run is rolled back.
 */
import pLimit from "p-limit";
import type { Exchange } from "../domain/types.js";
import { ConflictError, NotFoundError } from "../errors/memory-error.js";
import { windowIndexOf } from "../memory/projection/windows.js";
import type { LegacyCollection, LegacyRecord } from "../tiers/legacy-source.js";
import { seededRandom } from "../util/random.js";
import { doneBatches } from "./batch-runner.js";
import type { MigrationDeps } from "./deps.js";
import { contentHash, globalFactsUser, planRecord } from "./plan.js";
import { type RunOptions, RunOptionsSchema } from "./types.js";

export interface IntegrityReport {
  runId: string;
  score: number;
  passed: boolean;
  minimum: number;
  sampled: number;
  checks: { total: number; failed: number; byName: Record<string, { total: number; failed: number }> };
  /** The first failures, for a human to look at. */
  failures: { check: string; record: string; detail: string }[];
  rolledBack: boolean;
  at: string;
}

class Checks {
  readonly byName: Record<string, { total: number; failed: number }> = {};
  readonly failures: IntegrityReport["failures"] = [];
  check(name: string, record: string, ok: boolean, detail = "") {
    const c = this.byName[name] ?? { total: 0, failed: 0 };
    this.byName[name] = c;
    c.total++;
    if (ok) return;
    c.failed++;
    if (this.failures.length < 20) this.failures.push({ check: name, record, detail });
  }
  get totals() {
    const all = Object.values(this.byName);
    return { total: all.reduce((n, c) => n + c.total, 0), failed: all.reduce((n, c) => n + c.failed, 0) };
  }
}

/** Validates a completed run; under the minimum score, `rollback` undoes it. */
export async function validateIntegrity(
  m: MigrationDeps,
  runId: string,
  sampleSize: number,
  rollback: (runId: string) => Promise<unknown>,
): Promise<IntegrityReport> {
  const run = await m.runs.get(runId);
  if (!run) throw new NotFoundError(`No migration run ${runId}`);
  if (!["completed", "validated"].includes(run.state))
    throw new ConflictError(`Run ${runId} is ${run.state}; only a completed run can be validated`);
  const options = RunOptionsSchema.parse(run.options);
  const reports = await doneBatches(m.runs, runId);
  const checks = new Checks();

  // Per kind and in total: every record read once, each counted as a kind or left out by the filter.
  const total = options.sourceCounts.user_memories + options.sourceCounts.global_facts;
  const all = [...reports.values()];
  const seen = all.reduce((n, r) => n + r.seen, 0);
  const counted = all.reduce(
    (n, r) => n + r.filtered + Object.values(r.byKind).reduce((a, b) => a + b, 0),
    0,
  );
  checks.check("records-read", "run", seen === total, `${seen} read of ${total}`);
  checks.check("kinds-add-up", "run", counted === seen, `${counted} counted of ${seen}`);

  const records = await sample(m, options, sampleSize, seededRandom(runId));
  const wanted = options.users ? new Set(options.users) : undefined;
  const migratedAt = new Date();
  const sampled: { record: LegacyRecord; exchange: ReturnType<typeof planned> }[] = [];
  for (const { record, offset } of records) {
    const plan = planRecord(record, { tenant: options.tenant, migratedAt });
    if (wanted && !wanted.has(plan.legacyUserId ?? globalFactsUser)) continue;
    if ("skip" in plan) {
      const batch = reports.get(`${record.collection}:${Math.floor(offset / options.batchSize)}`);
      const reported = batch?.skipped.some((s) => s.id === record.id && s.reason === plan.skip) ?? false;
      checks.check("skip-reported", record.id, reported, plan.skip);
    } else sampled.push({ record, exchange: planned(plan.exchange) });
  }
  // An erased user's records are rightly absent everywhere.
  const erased = await m.erasures.erased([...new Set(sampled.map(({ exchange }) => exchange.userId))]);
  const expected = sampled.filter(({ exchange }) => !erased.has(exchange.userId));

  const stored = new Map(
    (
      await m.runs.byKeys(expected.map(({ exchange: e }) => ({ userId: e.userId, key: e.idempotencyKey })))
    ).map((e) => [`${e.userId}\u0000${String((e.metadata.legacy as { id?: string })?.id)}`, e]),
  );
  const found: Exchange[] = [];
  for (const { record, exchange } of expected) {
    const row = stored.get(`${exchange.userId}\u0000${record.id}`);
    checks.check("archive-row", record.id, row !== undefined, "not in Postgres");
    if (!row) continue;
    found.push(row);
    const legacy = row.metadata.legacy as { timestampMissing?: boolean } | undefined;
    const sameTime = legacy?.timestampMissing || row.createdAt.getTime() === exchange.timestamp.getTime();
    checks.check(
      "archive-content",
      record.id,
      contentHash(row) === exchange.hash && sameTime,
      sameTime
        ? "text differs"
        : `time ${row.createdAt.toISOString()} != ${exchange.timestamp.toISOString()}`,
    );
  }
  await checkProjections(m, found, checks);
  await checkUserCounts(
    m,
    options,
    expected.map(({ exchange }) => exchange.legacyUserId),
    checks,
  );

  const { total: n, failed } = checks.totals;
  const score = n === 0 ? 1 : (n - failed) / n;
  const passed = score >= m.config.minIntegrity;
  const report: IntegrityReport = {
    runId,
    score: Math.round(score * 10_000) / 10_000,
    passed,
    minimum: m.config.minIntegrity,
    sampled: records.length,
    checks: { total: n, failed, byName: checks.byName },
    failures: checks.failures,
    rolledBack: false,
    at: new Date().toISOString(),
  };
  if (passed) await m.runs.setState(runId, "validated", { integrity: { ...report } });
  else {
    await m.runs.setState(runId, run.state, { integrity: { ...report } });
    await rollback(runId);
    report.rolledBack = true;
    await m.runs.setState(runId, "rolled_back", { integrity: { ...report } });
  }
  return report;
}

const planned = (e: {
  userId: string;
  idempotencyKey: string;
  timestamp: Date;
  userMessage: string;
  botResponse: string;
}) => ({
  ...e,
  hash: contentHash(e),
  legacyUserId: e.userId.slice(e.userId.indexOf("/") + 1),
});

/** `size` records at seeded random positions across both collections. */
async function sample(
  m: MigrationDeps,
  options: RunOptions,
  size: number,
  next: () => number,
): Promise<{ record: LegacyRecord; offset: number }[]> {
  const total = options.sourceCounts.user_memories + options.sourceCounts.global_facts;
  // Runs of `stretch` consecutive records from random places: a few reads instead of one per record.
  const stretch = Math.max(1, Math.min(25, Math.floor(size / 8)));
  const starts = new Set<number>();
  while (starts.size * stretch < Math.min(size, total) && starts.size < total)
    starts.add(Math.floor(next() * total));
  const at = (p: number): [LegacyCollection, number] =>
    p < options.sourceCounts.user_memories
      ? ["user_memories", p]
      : ["global_facts", p - options.sourceCounts.user_memories];
  const limit = pLimit(4);
  const got = await Promise.all(
    [...starts].map((p) =>
      limit(async () => {
        const [collection, offset] = at(p);
        const records = await m.source.page(collection, offset, stretch);
        return records.map((record, i) => ({ record, offset: offset + i }));
      }),
    ),
  );
  const seen = new Set<string>();
  return got.flat().filter(({ record }) => !seen.has(record.id) && seen.add(record.id));
}

/** Each found exchange is in its user's cache (when among the newest), window summary and graph. */
async function checkProjections(m: MigrationDeps, found: readonly Exchange[], checks: Checks) {
  const { archive, cache, summaries, graph } = m.stores;
  const byUser = Map.groupBy(found, (e) => e.userId);
  const window = m.summaryWindow;
  const limit = pLimit(4);
  await Promise.all(
    [...byUser.entries()].map(([userId, list]) =>
      limit(async () => {
        if (cache && archive) {
          const newest = new Set((await archive.recent(userId, cache.capacity)).map((e) => e.id));
          const cached = new Set(((await cache.recent(userId, cache.capacity)) ?? []).map((e) => e.id));
          for (const e of list.filter((x) => newest.has(x.id)))
            checks.check("redis-recent", e.id, cached.has(e.id), "missing from the user's recent list");
        }
        if (summaries) {
          const windows = await summaries.windowsOf(
            userId,
            list.map((e) => windowIndexOf(e.ordinal, window)),
          );
          for (const e of list) {
            const ids = windows.get(windowIndexOf(e.ordinal, window)) ?? [];
            checks.check("chroma-summary", e.id, ids.includes(e.id), "no window summary covers it");
          }
        }
        if (graph) {
          const counts = await graph.factCounts(
            userId,
            list.map((e) => e.id),
          );
          for (const e of list) {
            const want = m.extractor.extract(e).facts.length;
            const have = counts.get(e.id) ?? 0;
            // The rules' facts at least; a model's claims may add more.
            const ok = m.modelProposesClaims ? have >= want : have === want;
            checks.check("neo4j-facts", e.id, ok, `${have} facts, ${want} expected`);
          }
        }
      }),
    ),
  );
}

/** For a few sampled users: every legacy record with their user_id is in the archive. */
async function checkUserCounts(
  m: MigrationDeps,
  options: RunOptions,
  legacyUsers: readonly string[],
  checks: Checks,
) {
  const users = [...new Set(legacyUsers)].filter((u) => u !== globalFactsUser).slice(0, 5);
  const migratedAt = new Date();
  for (const legacyUser of users) {
    const records = await m.source.byUserId(legacyUser);
    const keys = records.flatMap((r) => {
      const plan = planRecord(r, { tenant: options.tenant, migratedAt });
      return "exchange" in plan ? [{ userId: plan.exchange.userId, key: plan.exchange.idempotencyKey }] : [];
    });
    const present = await m.runs.byKeys(keys);
    checks.check(
      "user-count",
      legacyUser,
      present.length === keys.length,
      `${present.length} of ${keys.length} in Postgres`,
    );
  }
}
