// @ts-check
/**
 * The operator console's browser script: plain DOM code, loaded by console.html as a classic script
 * (not a module), with every call to /console/api carrying the operator key in a header.
 * Type-checked against the DOM (not Node) by ./tsconfig.json: npm run typecheck.
 */

/**
 * The answers of /console/api (shared/console/routes.ts), as far as this script reads them.
 * @typedef {{ tier: string, enabled: boolean, healthy?: boolean, p50Ms?: number, p95Ms?: number, lastError?: string, lastErrorAt?: string, lastOkAt?: string }} TierHealth
 * @typedef {{ tiers: TierHealth[], outboxBacklog?: Record<string, number> }} HealthStatus
 * @typedef {{ tier: string, ok: boolean, latencyMs: number, error?: string }} TierConnectivity
 * @typedef {{ requests: number, context: { p50Ms?: number, p95Ms?: number } }} TrafficMinute
 * @typedef {{ id: string, state: string, recordsDone: number, recordsTotal: number, recordsPerSecond: number, etaSeconds?: number, unmigratable: number, reasons: { reason: string, count: number }[], error: string | null, integrityScore?: number }} RunProgress
 * @typedef {{ postgres: { exchanges?: number }, redis: { recentMessages?: number }, chroma: { summaries?: number }, neo4j?: { entities: number, facts: number } }} UserFootprint
 * @typedef {{ id: string, tenant: string, target: string, events: string[], includeText: boolean, enabled: boolean, disabledReason: string | null, lastDelivery: { at: string | null, status: string | null, responseStatus: number | null, error: string | null }, failureStreak: number, pending: number }} WebhookRow
 * @typedef {{ recording: boolean, endpoints: WebhookRow[], incidents: { tier: string, since: string, error: string | null }[] }} WebhookOverview
 * @typedef {{ id: string, tenant: string, format: string, state: string, source: string, lines: { total: number | null, done: number, imported: number, existing: number, erased: number, refused: number }, error: string | null, updatedAt: string }} ImportRow
 * @typedef {Error & { status?: number }} ApiError an error answer of the API, with its HTTP status
 */

/**
 * The elements of console.html the script uses as more than an HTMLElement.
 * @typedef {{ key: HTMLInputElement, tenant: HTMLInputElement, user: HTMLInputElement, "erase-confirm": HTMLInputElement, tiers: HTMLTableElement, migrations: HTMLTableElement, imports: HTMLTableElement, webhooks: HTMLTableElement, "traffic-chart": SVGSVGElement }} ElementsById
 */
/**
 * @template {string} Id
 * @typedef {Id extends keyof ElementsById ? ElementsById[Id] : HTMLElement} ElementById
 */

// biome-ignore lint/suspicious/noRedundantUseStrict: a classic script, not a module: this makes it strict
"use strict";
const store = sessionStorage;
/**
 * The element with this id (console.html has every id the script asks for).
 * @template {string} Id
 * @param {Id} id
 * @returns {ElementById<Id>}
 */
const $ = (id) => /** @type {ElementById<Id>} */ (document.getElementById(id));
/** @param {unknown} n */
const fmt = (n) => (n === undefined || n === null ? "–" : String(n));
let key = store.getItem("hm-console-key");

/**
 * @param {string} path under /console/api
 * @param {RequestInit} [init]
 * @returns {Promise<unknown>} the JSON answer; rejects with an ApiError for an error status
 */
async function api(path, init = {}) {
  const res = await fetch(`/console/api${path}`, {
    ...init,
    headers: { ...(init.headers || {}), authorization: `Bearer ${key}` },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.detail || res.statusText), { status: res.status });
  return body;
}

/**
 * @param {HTMLTableRowElement} row
 * @param {string} text
 * @param {string} [cls]
 */
function cell(row, text, cls) {
  const td = document.createElement(row.children.length === 0 ? "th" : "td");
  if (row.children.length === 0) td.scope = "row";
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
}

/**
 * @param {TierHealth} t
 * @returns {[label: string, cls: string]}
 */
function statusOf(t) {
  if (!t.enabled) return ["disabled", "disabled"];
  if (t.healthy === false) return ["down", "down"];
  if (t.healthy === true) return ["healthy", "ok"];
  return ["not checked yet", "unknown"];
}

async function refreshTiers() {
  const health = /** @type {HealthStatus} */ (await api("/tiers"));
  const body = /** @type {HTMLTableSectionElement} */ ($("tiers").tBodies[0]);
  body.replaceChildren();
  for (const t of health.tiers) {
    const row = document.createElement("tr");
    row.dataset.tier = t.tier;
    cell(row, t.tier);
    const [label, cls] = statusOf(t);
    cell(row, label, `status ${cls}`);
    cell(row, fmt(t.p50Ms));
    cell(row, fmt(t.p95Ms));
    cell(row, fmt(health.outboxBacklog?.[t.tier]));
    const resolved = t.lastError && t.lastOkAt && t.lastOkAt > /** @type {string} */ (t.lastErrorAt);
    cell(row, t.lastError ? `${resolved ? "earlier: " : ""}${t.lastError} (${t.lastErrorAt})` : "–");
    body.appendChild(row);
  }
}

/**
 * @param {SVGSVGElement} svg
 * @param {string[]} points
 * @param {string} cls
 */
function line(svg, points, cls) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  el.setAttribute("points", points.join(" "));
  el.setAttribute("class", cls);
  el.setAttribute("fill", "none");
  svg.appendChild(el);
}

async function refreshTraffic() {
  const { minutes, recording } = /** @type {{ minutes: TrafficMinute[], recording: boolean }} */ (
    await api("/traffic")
  );
  const svg = $("traffic-chart");
  svg.replaceChildren();
  if (!recording) {
    $("traffic-summary").textContent = "Traffic is not recorded (Redis is disabled).";
    return;
  }
  const maxReq = Math.max(1, ...minutes.map((m) => m.requests));
  const maxMs = Math.max(1, ...minutes.map((m) => m.context.p95Ms || 0));
  const x = (/** @type {number} */ i) => (i * 600) / Math.max(1, minutes.length - 1);
  line(
    svg,
    minutes.map((m, i) => `${x(i)},${155 - (m.requests / maxReq) * 145}`),
    "requests",
  );
  line(
    svg,
    minutes.map((m, i) => `${x(i)},${155 - ((m.context.p50Ms || 0) / maxMs) * 145}`),
    "p50",
  );
  line(
    svg,
    minutes.map((m, i) => `${x(i)},${155 - ((m.context.p95Ms || 0) / maxMs) * 145}`),
    "p95",
  );
  const last = minutes[minutes.length - 1] || /** @type {TrafficMinute} */ ({ requests: 0, context: {} });
  $("traffic-summary").textContent =
    "Last hour: up to " +
    maxReq +
    " requests/min, context p95 up to " +
    maxMs +
    " ms. This minute: " +
    last.requests +
    " requests, context p50 " +
    fmt(last.context.p50Ms) +
    " ms.";
}

/**
 * A table body emptied, holding only `text` when there are no rows.
 * @param {string} id the table's
 * @param {number} columns
 * @param {string | undefined} text
 */
function emptied(id, columns, text) {
  const body = /** @type {HTMLTableSectionElement} */ (/** @type {HTMLTableElement} */ ($(id)).tBodies[0]);
  body.replaceChildren();
  if (text !== undefined) {
    const row = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = columns;
    td.textContent = text;
    row.appendChild(td);
    body.appendChild(row);
  }
  return body;
}

/** @param {number | undefined} s seconds */
function duration(s) {
  if (s === undefined) return "–";
  return s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.round(s / 60)} min`
      : `${s} s`;
}

async function refreshMigrations() {
  const { runs } = /** @type {{ runs: RunProgress[] }} */ (await api("/migrations"));
  const body = emptied("migrations", 7, runs.length === 0 ? "No migration has run." : undefined);
  for (const r of runs) {
    const row = document.createElement("tr");
    row.dataset.run = r.id;
    cell(row, r.id.slice(0, 8));
    cell(row, r.state.replace("_", " "), `state ${r.state}`);
    const records = document.createElement("td");
    const bar = document.createElement("progress");
    bar.max = Math.max(1, r.recordsTotal);
    bar.value = r.recordsDone;
    bar.setAttribute("aria-label", "records migrated");
    records.append(bar, ` ${r.recordsDone} / ${r.recordsTotal}`);
    records.className = "records";
    row.appendChild(records);
    cell(row, `${r.recordsPerSecond}/s`);
    cell(row, duration(r.etaSeconds));
    cell(
      row,
      r.unmigratable +
        (r.reasons.length ? `: ${r.reasons.map((x) => `${x.reason} (${x.count})`).join("; ")}` : "") +
        (r.error ? ` · ${r.error}` : ""),
    );
    cell(row, r.integrityScore === undefined ? "–" : r.integrityScore.toFixed(3));
    body.appendChild(row);
  }
}

async function refreshImports() {
  const { recording, imports } = /** @type {{ recording: boolean, imports: ImportRow[] }} */ (
    await api("/imports")
  );
  const none = !recording ? "Imports need Postgres, which is disabled." : "No import has run.";
  const body = emptied("imports", 9, imports.length === 0 ? none : undefined);
  for (const i of imports) {
    const row = document.createElement("tr");
    row.dataset.import = i.id;
    cell(row, i.id.slice(0, 8));
    cell(row, i.tenant);
    cell(row, i.source === "location" ? `${i.format} (from a location)` : i.format);
    cell(row, i.error ? `${i.state}: ${i.error}` : i.state, `state ${i.state}`);
    const lines = document.createElement("td");
    const bar = document.createElement("progress");
    bar.max = Math.max(1, i.lines.total ?? 1);
    bar.value = i.lines.done;
    bar.setAttribute("aria-label", "lines done");
    lines.append(bar, ` ${i.lines.done} / ${fmt(i.lines.total)}`);
    lines.className = "lines";
    row.appendChild(lines);
    cell(row, String(i.lines.imported));
    cell(row, String(i.lines.existing));
    cell(row, String(i.lines.refused));
    cell(row, i.updatedAt);
    body.appendChild(row);
  }
}

/**
 * @param {WebhookRow["lastDelivery"]} d
 * @returns {[label: string, cls: string]}
 */
function lastDelivery(d) {
  if (!d.status) return ["none yet", "unknown"];
  const what = d.status === "delivered" ? `delivered (${d.responseStatus})` : `failed: ${d.error}`;
  return [`${what} at ${d.at}`, d.status === "delivered" ? "ok" : "down"];
}

async function refreshWebhooks() {
  const { recording, endpoints, incidents } = /** @type {WebhookOverview} */ (await api("/webhooks"));
  $("incidents").textContent = !recording
    ? "Webhooks need Postgres, which is disabled."
    : incidents.length === 0
      ? "No tier incident open."
      : `Open tier incidents: ${incidents.map((i) => `${i.tier} since ${i.since} (${fmt(i.error)})`).join("; ")}.`;
  const body = emptied("webhooks", 7, endpoints.length === 0 ? "No endpoint registered." : undefined);
  for (const e of endpoints) {
    const row = document.createElement("tr");
    row.dataset.endpoint = e.id;
    cell(row, e.target);
    cell(row, e.tenant);
    cell(row, e.events.join(", ") + (e.includeText ? " (with text)" : ""));
    cell(row, e.enabled ? "enabled" : `disabled${e.disabledReason ? `: ${e.disabledReason}` : ""}`);
    const [label, cls] = lastDelivery(e.lastDelivery);
    cell(row, label, `status ${cls}`);
    cell(row, String(e.failureStreak));
    cell(row, String(e.pending));
    body.appendChild(row);
  }
}

/**
 * The user looked up last; set before the export and erase buttons are shown.
 * @type {{ tenant: string, user: string }}
 */
let shownUser;
/** @param {SubmitEvent} event */
async function lookUp(event) {
  event.preventDefault();
  const tenant = $("tenant").value.trim();
  const user = $("user").value.trim();
  try {
    const info = /** @type {{ tiers: UserFootprint }} */ (
      await api(`/users/${encodeURIComponent(tenant)}/${encodeURIComponent(user)}`)
    );
    shownUser = { tenant, user };
    const t = info.tiers;
    $("user-result").textContent =
      tenant +
      "/" +
      user +
      ": " +
      fmt(t.postgres.exchanges) +
      " exchanges in Postgres, " +
      fmt(t.redis.recentMessages) +
      " recent messages in Redis, " +
      fmt(t.chroma.summaries) +
      " summaries in Chroma, " +
      fmt(t.neo4j?.entities) +
      " entities and " +
      fmt(t.neo4j?.facts) +
      " facts in Neo4j.";
    $("user-actions").hidden = false;
  } catch (error) {
    $("user-result").textContent = `Could not look up: ${/** @type {ApiError} */ (error).message}`;
    $("user-actions").hidden = true;
  }
}

async function exportUser() {
  const data = await api(
    `/users/${encodeURIComponent(shownUser.tenant)}/${encodeURIComponent(shownUser.user)}/export`,
  );
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  link.download = `${shownUser.tenant}-${shownUser.user}.json`;
  link.click();
}

/** @param {SubmitEvent} event */
async function eraseUser(event) {
  event.preventDefault();
  try {
    const result = /** @type {{ exchanges: number }} */ (
      await api(`/users/${encodeURIComponent(shownUser.tenant)}/${encodeURIComponent(shownUser.user)}`, {
        method: "DELETE",
        headers: { "x-confirm-erase": $("erase-confirm").value.trim() },
      })
    );
    $("user-result").textContent =
      "Erased " +
      shownUser.tenant +
      "/" +
      shownUser.user +
      " (" +
      result.exchanges +
      " exchanges) from every tier.";
    $("user-actions").hidden = true;
  } catch (error) {
    $("user-result").textContent = `Not erased: ${/** @type {ApiError} */ (error).message}`;
  }
}

async function refreshAll() {
  await Promise.allSettled([refreshTiers(), refreshMigrations(), refreshImports(), refreshWebhooks()]);
}

async function open() {
  await refreshTiers();
  $("login").hidden = true;
  $("dashboard").hidden = false;
  $("sign-out").hidden = false;
  refreshAll();
  refreshTraffic().catch(() => undefined);
  setInterval(refreshAll, 2000);
  setInterval(() => refreshTraffic().catch(() => undefined), 10000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    key = $("key").value.trim();
    try {
      await open();
      store.setItem("hm-console-key", key);
    } catch (caught) {
      const error = /** @type {ApiError} */ (caught);
      $("login-error").textContent =
        error.status === 401 || error.status === 403
          ? "That key does not open the console."
          : `Could not reach the service: ${error.message}`;
    }
  });
  $("sign-out").addEventListener("click", () => {
    store.removeItem("hm-console-key");
    location.reload();
  });
  $("test-tiers").addEventListener("click", async () => {
    $("test-result").textContent = "Testing…";
    const { results } = /** @type {{ results: TierConnectivity[] }} */ (
      await api("/tiers/test", { method: "POST" })
    );
    $("test-result").textContent = results
      .map((r) => `${r.tier}: ${r.ok ? `ok in ${Math.round(r.latencyMs)} ms` : `failed (${r.error})`}`)
      .join(" · ");
    await refreshTiers();
  });
  $("user-form").addEventListener("submit", lookUp);
  $("export-user").addEventListener("click", exportUser);
  $("erase-form").addEventListener("submit", eraseUser);
  if (key)
    open().catch(() => {
      store.removeItem("hm-console-key");
      key = null;
    });
});
