// The web page's files, embedded in the module graph (no build step, no file read at run
// time): one HTML shell, one script, one stylesheet. The script builds every element with
// textContent (never innerHTML), so project data cannot inject markup.

/** The HTML shell of every page. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>BuildRunner dashboard</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="/">BuildRunner</a>
  <nav><a href="/">Overview</a><a href="/alerts">Alerts</a><a href="/timeline">Timeline</a></nav>
  <span id="live" class="live" title="live updates">connecting</span>
</header>
<main id="main"><p class="muted">Loading...</p></main>
</body>
</html>
`;

/** The stylesheet (light and dark). */
export const APP_CSS = `:root {
  --bg: #ffffff; --fg: #1d2330; --muted: #5b6472; --line: #dde1e7; --card: #f5f7fa;
  --ok: #17803d; --warn: #a35d00; --crit: #c0262d; --accent: #2f5fd0;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12151b; --fg: #e6e9ef; --muted: #9aa3b2; --line: #2c323d; --card: #1b2029;
    --ok: #4cc27a; --warn: #f0a440; --crit: #ff6b70; --accent: #7fa6ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 1.25rem;
  border-bottom: 1px solid var(--line); background: var(--card); }
header nav { display: flex; gap: 1rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.brand { font-weight: 700; color: var(--fg); }
.live { margin-left: auto; font-size: 12px; color: var(--muted); }
.live.on { color: var(--ok); }
main { padding: 1rem 1.25rem; }
h1 { font-size: 1.3rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: 12px;
  font-weight: 600; border: 1px solid currentColor; }
.healthy { color: var(--ok); } .warning { color: var(--warn); } .critical { color: var(--crit); }
.bar { background: var(--line); border-radius: 4px; height: 8px; width: 100px; }
.bar > span { display: block; height: 8px; border-radius: 4px; background: var(--accent); }
.muted { color: var(--muted); }
.rule { color: var(--muted); font-size: 12px; }
.filters { display: flex; gap: .75rem; margin: .5rem 0; }
input, select { background: var(--bg); color: var(--fg); border: 1px solid var(--line);
  border-radius: 4px; padding: .25rem .5rem; font: inherit; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: .5rem; max-width: 100%; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: .5rem .75rem; min-width: 9rem; }
.card b { display: block; font-size: 1.2rem; }
`;

/** The page script. */
export const APP_JS = `"use strict";
const main = document.getElementById("main");
const live = document.getElementById("live");

function el(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined) continue;
    node.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return node;
}
const usd = (n) => "$" + Number(n || 0).toFixed(2);
const when = (iso) => iso ? new Date(iso).toLocaleString() : "-";
const badge = (h) => el("span", { class: "badge " + h, "data-health": h }, h);

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(res.status + " " + res.statusText);
  return res.json();
}

function gatesText(p) {
  if (!p.gates.length) return "-";
  const failed = p.gates.filter((g) => !g.passed).map((g) => g.gate);
  return failed.length ? "failed: " + failed.join(", ") : "passed (" + p.gates.length + ")";
}

function overviewTable(projects) {
  const rows = projects.map((p) => el("tr", { "data-project": p.name, "data-health": p.health },
    el("td", {}, el("a", { href: "/project/" + encodeURIComponent(p.id) }, p.name),
      el("div", { class: "rule" }, p.path)),
    el("td", {}, badge(p.health), el("div", { class: "rule" }, p.health_rule)),
    el("td", { class: "num", "data-completion": p.completion_percentage },
      p.error ? "-" : p.completion_percentage + "%",
      el("div", { class: "bar" }, el("span", { style: null, "data-w": p.completion_percentage }))),
    el("td", { class: "num" }, p.counts.in_progress),
    el("td", { class: "num" }, p.counts.blocked),
    el("td", {}, gatesText(p)),
    el("td", { class: "num" }, p.findings ? p.findings.secrets : "-"),
    el("td", { class: "num" }, usd(p.cost_today_usd)),
    el("td", { class: "num" }, usd(p.cost_week_usd)),
    el("td", {}, p.workers.run ? p.workers.busy + "/" + p.workers.total + " " + p.workers.state : "-"),
    el("td", {}, p.error ? el("span", { class: "critical" }, p.error) : when(p.last_activity)),
  ));
  const head = ["Project", "Health", "Done", "In progress", "Blocked", "Gates", "Secrets",
    "Today", "Week", "Workers", "Last activity"].map((h) => el("th", {}, h));
  const table = el("table", { id: "projects" }, el("thead", {}, el("tr", {}, head)), el("tbody", {}, rows));
  // Widths set through the CSSOM (allowed by the CSP, unlike style attributes).
  for (const s of table.querySelectorAll("[data-w]")) s.style.width = s.dataset.w + "%";
  return table;
}

async function overview() {
  const data = await getJson("/api/overview");
  const counts = { healthy: 0, warning: 0, critical: 0 };
  for (const p of data.projects) counts[p.health]++;
  main.replaceChildren(
    el("h1", {}, data.projects.length + " projects"),
    el("div", { class: "cards" }, ...Object.entries(counts).map(([k, n]) =>
      el("div", { class: "card " + k }, el("b", {}, n), k))),
    el("h2", {}, "Projects"),
    overviewTable(data.projects),
  );
}

async function alerts() {
  const data = await getJson("/api/overview");
  const bad = data.projects.filter((p) => p.health !== "healthy");
  main.replaceChildren(el("h1", {}, "Alerts"), bad.length
    ? el("table", { id: "alerts" }, el("tbody", {}, bad.map((p) => el("tr", { "data-project": p.name },
      el("td", {}, el("a", { href: "/project/" + encodeURIComponent(p.id) }, p.name)),
      el("td", {}, badge(p.health)), el("td", {}, p.health_rule)))))
    : el("p", { class: "muted" }, "No alerts: every project is healthy."));
}

async function timeline() {
  const data = await getJson("/api/timeline");
  main.replaceChildren(el("h1", {}, "Timeline"), data.events.length
    ? el("table", { id: "timeline" }, el("tbody", {}, data.events.map((e) => el("tr", {},
      el("td", {}, when(e.time)), el("td", {}, e.project), el("td", {}, e.type),
      el("td", {}, e.feature || "")))))
    : el("p", { class: "muted" }, "No events stored yet."));
}

const filters = { text: "", status: "" };
async function detail(id) {
  const d = await getJson("/api/project/" + encodeURIComponent(id));
  const p = d.snapshot;
  const list = el("tbody", { id: "features" });
  const draw = () => list.replaceChildren(...d.features
    .filter((f) => !filters.status || f.status === filters.status)
    .filter((f) => !filters.text || (f.id + " " + f.name).toLowerCase().includes(filters.text))
    .map((f) => el("tr", { "data-feature": f.id, "data-status": f.status },
      el("td", {}, f.id), el("td", {}, f.name), el("td", {}, f.status), el("td", {}, f.priority),
      el("td", {}, f.blocked_reason || ""))));
  draw();
  const search = el("input", { type: "search", placeholder: "Filter features", id: "filter-text",
    value: filters.text, oninput: (e) => { filters.text = e.target.value.toLowerCase(); draw(); } });
  const status = el("select", { id: "filter-status", onchange: (e) => { filters.status = e.target.value; draw(); } },
    ["", "planned", "in_progress", "testing", "blocked", "complete"].map((s) =>
      el("option", { value: s, selected: s === filters.status }, s || "any status")));
  main.replaceChildren(
    el("h1", {}, p.name, " ", badge(p.health)),
    el("p", { class: "rule" }, p.path, " - ", p.health_rule),
    el("div", { class: "cards" },
      el("div", { class: "card" }, el("b", { id: "completion" }, p.completion_percentage + "%"), "complete"),
      el("div", { class: "card" }, el("b", {}, p.counts.in_progress), "in progress"),
      el("div", { class: "card" }, el("b", {}, p.counts.blocked), "blocked"),
      el("div", { class: "card" }, el("b", {}, usd(p.cost_today_usd)), "today"),
      el("div", { class: "card" }, el("b", {}, usd(p.cost_week_usd)), "this week"),
      el("div", { class: "card" }, el("b", {}, p.findings ? p.findings.secrets : "-"), "secret findings")),
    el("h2", {}, "Cost, last 30 days"),
    el("img", { class: "chart", id: "cost-chart", alt: "cost per day",
      src: "/api/project/" + encodeURIComponent(id) + "/cost.svg?v=" + Date.now() }),
    el("h2", {}, "Features"),
    el("div", { class: "filters" }, search, status),
    el("table", {}, el("thead", {}, el("tr", {}, ["Id", "Name", "Status", "Priority", "Blocked because"]
      .map((h) => el("th", {}, h)))), list),
    el("h2", {}, "Gate history"),
    d.gate_history.length ? el("table", { id: "gates" }, el("tbody", {}, d.gate_history.map((g) =>
      el("tr", {}, el("td", {}, when(g.time)), el("td", {}, g.gate),
        el("td", { class: g.passed ? "healthy" : "critical" }, g.passed ? "passed" : "failed"),
        el("td", { class: "rule" }, Object.entries(g.counts).map(([k, v]) => k + " " + v).join(", "))))))
      : el("p", { class: "muted" }, "No gate has run yet."),
    el("h2", {}, "Parallel run"),
    p.workers.run ? el("div", {}, el("p", {}, p.workers.run + ": " + p.workers.state + ", " +
      p.workers.busy + "/" + p.workers.total + " workers busy"),
      el("table", { id: "tasks" }, el("tbody", {}, d.tasks.map((t) => el("tr", {},
        el("td", {}, t.feature), el("td", {}, t.state), el("td", {}, t.worker || ""))))))
      : el("p", { class: "muted" }, "No parallel run."),
  );
}

function route() {
  const path = location.pathname;
  if (path.startsWith("/project/")) return detail(decodeURIComponent(path.slice(9)));
  if (path === "/alerts") return alerts();
  if (path === "/timeline") return timeline();
  return overview();
}

let busy = null;
let again = false;
function refresh() {
  if (busy) { again = true; return busy; }
  busy = route().catch((err) => {
    main.replaceChildren(el("p", { class: "critical" }, "Cannot load: " + err.message));
  }).finally(() => {
    busy = null;
    document.body.dataset.updated = String(Date.now());
    if (again) { again = false; refresh(); }
  });
  return busy;
}

const events = new EventSource("/events");
events.addEventListener("open", () => { live.textContent = "live"; live.classList.add("on"); });
events.addEventListener("error", () => { live.textContent = "reconnecting"; live.classList.remove("on"); });
events.addEventListener("update", () => refresh());
refresh();
`;
