/**
 * The console's page, script and styles, served as they are (no bundler, no framework): plain DOM
 * code in the browser, every call to /console/api with the operator key in a header.
 */

export const consolePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hierarchical Memory · Console</title>
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
</head>
<body>
<header><h1>Hierarchical Memory console</h1><button type="button" id="sign-out" hidden>Sign out</button></header>
<main>
<section id="login" aria-labelledby="login-title">
  <h2 id="login-title">Sign in</h2>
  <form id="login-form">
    <label for="key">Operator key</label>
    <input id="key" name="key" type="password" autocomplete="off" required>
    <button type="submit">Open console</button>
    <p id="login-error" role="alert"></p>
  </form>
  <p class="hint">Create one with <code>npm run keys -- create-admin &lt;name&gt;</code>. It is kept for this tab only.</p>
</section>
<div id="dashboard" hidden>
<section aria-labelledby="tiers-title">
  <h2 id="tiers-title">Tiers</h2>
  <table id="tiers"><caption>Status of each memory tier (refreshed every 2 s)</caption>
    <thead><tr><th scope="col">Tier</th><th scope="col">Status</th><th scope="col">p50 ms</th><th scope="col">p95 ms</th><th scope="col">Outbox backlog</th><th scope="col">Last error</th></tr></thead>
    <tbody></tbody></table>
  <button type="button" id="test-tiers">Run connectivity test</button>
  <p id="test-result" aria-live="polite"></p>
</section>
<section aria-labelledby="traffic-title">
  <h2 id="traffic-title">Traffic</h2>
  <p id="traffic-summary" aria-live="polite"></p>
  <svg id="traffic-chart" role="img" aria-labelledby="traffic-title traffic-summary" viewBox="0 0 600 160" width="600" height="160"></svg>
  <p class="legend"><span class="swatch requests"></span> requests/min <span class="swatch p50"></span> context p50 <span class="swatch p95"></span> context p95</p>
</section>
<section aria-labelledby="migrations-title">
  <h2 id="migrations-title">Migrations</h2>
  <table id="migrations"><caption>Runs from the legacy store, newest first</caption>
    <thead><tr><th scope="col">Run</th><th scope="col">State</th><th scope="col">Records</th><th scope="col">Rate</th><th scope="col">ETA</th><th scope="col">Not migrated</th><th scope="col">Integrity</th></tr></thead>
    <tbody></tbody></table>
</section>
<section aria-labelledby="users-title">
  <h2 id="users-title">Users</h2>
  <form id="user-form">
    <label for="tenant">Tenant</label><input id="tenant" name="tenant" required>
    <label for="user">User id</label><input id="user" name="user" required>
    <button type="submit">Look up</button>
  </form>
  <div id="user-result" aria-live="polite"></div>
  <div id="user-actions" hidden>
    <button type="button" id="export-user">Export as JSON</button>
    <form id="erase-form">
      <label for="erase-confirm">To erase this user from every tier, type the user id again</label>
      <input id="erase-confirm" name="confirm" autocomplete="off">
      <button type="submit" class="danger">Erase user</button>
    </form>
  </div>
</section>
</div>
</main>
</body>
</html>`;

export const consoleScript = `"use strict";
const store = sessionStorage;
const $ = (id) => document.getElementById(id);
const fmt = (n) => (n === undefined || n === null ? "–" : String(n));
let key = store.getItem("hm-console-key");

async function api(path, init = {}) {
  const res = await fetch("/console/api" + path, { ...init, headers: { ...(init.headers || {}), authorization: "Bearer " + key } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.detail || res.statusText), { status: res.status });
  return body;
}

function cell(row, text, cls) {
  const td = document.createElement(row.children.length === 0 ? "th" : "td");
  if (row.children.length === 0) td.scope = "row";
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
}

function statusOf(t) {
  if (!t.enabled) return ["disabled", "disabled"];
  if (t.healthy === false) return ["down", "down"];
  if (t.healthy === true) return ["healthy", "ok"];
  return ["not checked yet", "unknown"];
}

async function refreshTiers() {
  const health = await api("/tiers");
  const body = $("tiers").tBodies[0];
  body.replaceChildren();
  for (const t of health.tiers) {
    const row = document.createElement("tr");
    row.dataset.tier = t.tier;
    cell(row, t.tier);
    const [label, cls] = statusOf(t);
    cell(row, label, "status " + cls);
    cell(row, fmt(t.p50Ms));
    cell(row, fmt(t.p95Ms));
    cell(row, fmt(health.outboxBacklog && health.outboxBacklog[t.tier]));
    const resolved = t.lastError && t.lastOkAt && t.lastOkAt > t.lastErrorAt;
    cell(row, t.lastError ? (resolved ? "earlier: " : "") + t.lastError + " (" + t.lastErrorAt + ")" : "–");
    body.appendChild(row);
  }
}

function line(svg, points, cls) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  el.setAttribute("points", points.join(" "));
  el.setAttribute("class", cls);
  el.setAttribute("fill", "none");
  svg.appendChild(el);
}

async function refreshTraffic() {
  const { minutes, recording } = await api("/traffic");
  const svg = $("traffic-chart");
  svg.replaceChildren();
  if (!recording) { $("traffic-summary").textContent = "Traffic is not recorded (Redis is disabled)."; return; }
  const maxReq = Math.max(1, ...minutes.map((m) => m.requests));
  const maxMs = Math.max(1, ...minutes.map((m) => m.context.p95Ms || 0));
  const x = (i) => (i * 600) / Math.max(1, minutes.length - 1);
  line(svg, minutes.map((m, i) => x(i) + "," + (155 - (m.requests / maxReq) * 145)), "requests");
  line(svg, minutes.map((m, i) => x(i) + "," + (155 - ((m.context.p50Ms || 0) / maxMs) * 145)), "p50");
  line(svg, minutes.map((m, i) => x(i) + "," + (155 - ((m.context.p95Ms || 0) / maxMs) * 145)), "p95");
  const last = minutes[minutes.length - 1] || { requests: 0, context: {} };
  $("traffic-summary").textContent = "Last hour: up to " + maxReq + " requests/min, context p95 up to " + maxMs + " ms. This minute: " + last.requests + " requests, context p50 " + fmt(last.context.p50Ms) + " ms.";
}

function duration(s) {
  if (s === undefined) return "–";
  return s >= 3600 ? Math.floor(s / 3600) + " h " + Math.round((s % 3600) / 60) + " min" : s >= 60 ? Math.round(s / 60) + " min" : s + " s";
}

async function refreshMigrations() {
  const { runs } = await api("/migrations");
  const body = $("migrations").tBodies[0];
  body.replaceChildren();
  if (runs.length === 0) {
    const row = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 7;
    td.textContent = "No migration has run.";
    row.appendChild(td);
    body.appendChild(row);
  }
  for (const r of runs) {
    const row = document.createElement("tr");
    row.dataset.run = r.id;
    cell(row, r.id.slice(0, 8));
    cell(row, r.state.replace("_", " "), "state " + r.state);
    const records = document.createElement("td");
    const bar = document.createElement("progress");
    bar.max = Math.max(1, r.recordsTotal);
    bar.value = r.recordsDone;
    bar.setAttribute("aria-label", "records migrated");
    records.append(bar, " " + r.recordsDone + " / " + r.recordsTotal);
    records.className = "records";
    row.appendChild(records);
    cell(row, r.recordsPerSecond + "/s");
    cell(row, duration(r.etaSeconds));
    cell(row, r.unmigratable + (r.reasons.length ? ": " + r.reasons.map((x) => x.reason + " (" + x.count + ")").join("; ") : "") + (r.error ? " · " + r.error : ""));
    cell(row, r.integrityScore === undefined ? "–" : r.integrityScore.toFixed(3));
    body.appendChild(row);
  }
}

let shownUser;
async function lookUp(event) {
  event.preventDefault();
  const tenant = $("tenant").value.trim();
  const user = $("user").value.trim();
  try {
    const info = await api("/users/" + encodeURIComponent(tenant) + "/" + encodeURIComponent(user));
    shownUser = { tenant, user };
    const t = info.tiers;
    $("user-result").textContent = tenant + "/" + user + ": " + fmt(t.postgres.exchanges) + " exchanges in Postgres, " + fmt(t.redis.recentMessages) + " recent messages in Redis, " + fmt(t.chroma.summaries) + " summaries in Chroma, " + fmt(t.neo4j && t.neo4j.entities) + " entities and " + fmt(t.neo4j && t.neo4j.facts) + " facts in Neo4j.";
    $("user-actions").hidden = false;
  } catch (error) {
    $("user-result").textContent = "Could not look up: " + error.message;
    $("user-actions").hidden = true;
  }
}

async function exportUser() {
  const data = await api("/users/" + encodeURIComponent(shownUser.tenant) + "/" + encodeURIComponent(shownUser.user) + "/export");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  link.download = shownUser.tenant + "-" + shownUser.user + ".json";
  link.click();
}

async function eraseUser(event) {
  event.preventDefault();
  try {
    const result = await api("/users/" + encodeURIComponent(shownUser.tenant) + "/" + encodeURIComponent(shownUser.user), {
      method: "DELETE",
      headers: { "x-confirm-erase": $("erase-confirm").value.trim() },
    });
    $("user-result").textContent = "Erased " + shownUser.tenant + "/" + shownUser.user + " (" + result.exchanges + " exchanges) from every tier.";
    $("user-actions").hidden = true;
  } catch (error) {
    $("user-result").textContent = "Not erased: " + error.message;
  }
}

async function refreshAll() {
  await Promise.allSettled([refreshTiers(), refreshMigrations()]);
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
    } catch (error) {
      $("login-error").textContent = error.status === 401 || error.status === 403 ? "That key does not open the console." : "Could not reach the service: " + error.message;
    }
  });
  $("sign-out").addEventListener("click", () => { store.removeItem("hm-console-key"); location.reload(); });
  $("test-tiers").addEventListener("click", async () => {
    $("test-result").textContent = "Testing…";
    const { results } = await api("/tiers/test", { method: "POST" });
    $("test-result").textContent = results.map((r) => r.tier + ": " + (r.ok ? "ok in " + Math.round(r.latencyMs) + " ms" : "failed (" + r.error + ")")).join(" · ");
    await refreshTiers();
  });
  $("user-form").addEventListener("submit", lookUp);
  $("export-user").addEventListener("click", exportUser);
  $("erase-form").addEventListener("submit", eraseUser);
  if (key) open().catch(() => { store.removeItem("hm-console-key"); key = null; });
});
`;

export const consoleStyles = `
:root { color: #1a1a1a; background: #fff; font: 15px/1.45 system-ui, sans-serif; }
header { display: flex; justify-content: space-between; align-items: center; padding: 0 1.5rem; border-bottom: 1px solid #ccc; }
main { padding: 0 1.5rem 2rem; max-width: 70rem; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 1.8rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: #444; padding: 0.3rem 0; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
.status.ok, .state.validated, .state.completed { color: #0a5c2a; font-weight: 600; }
.status.down, .state.failed, .state.rolled_back { color: #a3000b; font-weight: 600; }
.status.disabled, .status.unknown, .state.paused { color: #555; }
.state.running { color: #0b4ea2; font-weight: 600; }
button { font: inherit; padding: 0.35rem 0.8rem; border: 1px solid #0b4ea2; background: #0b4ea2; color: #fff; border-radius: 4px; cursor: pointer; }
button.danger { background: #a3000b; border-color: #a3000b; }
button:focus-visible, input:focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }
label { display: block; margin: 0.6rem 0 0.2rem; font-weight: 600; }
input { font: inherit; padding: 0.3rem; border: 1px solid #666; border-radius: 3px; }
#user-form label, #user-form input { display: inline-block; margin-right: 0.5rem; }
#login-error, .danger-text { color: #a3000b; }
svg { border: 1px solid #ddd; max-width: 100%; height: auto; }
polyline { stroke-width: 2; }
polyline.requests { stroke: #0b4ea2; } polyline.p50 { stroke: #0a5c2a; } polyline.p95 { stroke: #a3000b; }
.swatch { display: inline-block; width: 1rem; height: 0.3rem; vertical-align: middle; }
.swatch.requests { background: #0b4ea2; } .swatch.p50 { background: #0a5c2a; } .swatch.p95 { background: #a3000b; }
progress { width: 8rem; vertical-align: middle; }
.hint { color: #444; }
`;
