/**
 * The preview page: one self-contained HTML file (no network) with the palette in light and
 * dark with contrast ratios, the type scale and sample components in the theme. The page
 * starts in dark mode with `#dark` in its URL (or when the system prefers dark and the URL
 * does not say `#light`); a button toggles it.
 */
import type { DesignSystem } from "./merge.ts";
import { COLOR_ROLES, type Palette } from "./types.ts";

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function vars(p: Palette): string {
  return COLOR_ROLES.map((r) => `--${r}: ${p[r]};`).join(" ");
}

function palettePanel(d: DesignSystem, mode: "light" | "dark"): string {
  const p = d.colors[mode];
  const checks = d.contrast.filter((c) => c.mode === mode);
  const rows = checks.map((c) => {
    const ok = c.passes ? "pass" : "FAIL";
    return `<div class="sw" style="background:${p[c.background]};color:${p[c.foreground]}">` +
      `<b>${esc(c.foreground)}</b> on ${esc(c.background)}` +
      `<span class="ratio">${c.ratio.toFixed(2)}:1 · needs ${c.required} · ${ok}</span></div>`;
  }).join("\n");
  const chips = COLOR_ROLES.map((r) =>
    `<div class="chip"><i style="background:${p[r]}"></i><code>${r}</code><small>${
      esc(p[r])
    }</small></div>`
  ).join("\n");
  return `<section class="panel" style="${
    vars(p)
  } background:var(--background);color:var(--foreground)">
<h3>${mode === "light" ? "Light" : "Dark"} palette</h3>
<div class="swatches">${rows}</div>
<div class="chips">${chips}</div>
</section>`;
}

/** Renders the preview page of a design. */
export function previewHtml(d: DesignSystem): string {
  const t = d.typography;
  const scale = [...d.type_scale].reverse().map((s) =>
    `<div class="step" style="font-size:${s.size_rem}rem;line-height:${s.line_height}">` +
    `<code>text-${s.name} · ${s.size_rem}rem</code> The quick brown fox jumps</div>`
  ).join("\n");
  const issues = d.issues.length
    ? d.issues.map((i) =>
      `<li><b>${esc(i.kind)}</b> <code>${esc(i.subject)}</code>: ${esc(i.resolution)}</li>`
    ).join("\n")
    : "<li>None</li>";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)} design preview</title>
<style>
:root { ${vars(d.colors.light)} }
.dark { ${vars(d.colors.dark)} }
:root {
  --radius-sm: ${d.radius.sm}rem; --radius-md: ${d.radius.md}rem; --radius-lg: ${d.radius.lg}rem;
  --shadow-sm: ${d.shadows.sm}; --shadow-md: ${d.shadows.md};
  --sp: ${d.spacing_rem}rem; --target: ${d.target_px}px;
  --font-sans: ${t.font_sans}; --font-heading: ${t.font_heading}; --font-mono: ${t.font_mono};
}
* { box-sizing: border-box; border-color: var(--border); }
body { margin: 0; background: var(--background); color: var(--foreground);
  font-family: var(--font-sans); font-weight: ${t.body_weight};
  font-size: ${d.type_scale[2].size_rem}rem; line-height: ${t.line_height}; }
h1, h2, h3 { font-family: var(--font-heading); font-weight: ${t.heading_weight}; margin: 0 0 calc(var(--sp) * 3); }
code, small { font-family: var(--font-mono); }
header { display: flex; justify-content: space-between; align-items: center;
  padding: calc(var(--sp) * 4) calc(var(--sp) * 6); background: var(--card);
  border-bottom: 1px solid var(--border); }
main { padding: calc(var(--sp) * 6); display: grid; gap: calc(var(--sp) * 6); }
.muted { color: var(--muted-foreground); }
.panels { display: grid; grid-template-columns: 1fr 1fr; gap: calc(var(--sp) * 4); }
.panel { padding: calc(var(--sp) * 4); border-radius: var(--radius-lg); border: 1px solid var(--border); }
.swatches { display: grid; gap: 4px; }
.sw { padding: 6px 10px; border-radius: var(--radius-sm); display: flex; justify-content: space-between; gap: 8px; font-size: 0.85rem; }
.ratio { font-family: var(--font-mono); }
.chips { display: grid; grid-template-columns: repeat(2, 1fr); gap: 4px; margin-top: 12px; font-size: 0.75rem; }
.chip { display: flex; align-items: center; gap: 6px; }
.chip i { width: 18px; height: 18px; border-radius: 4px; border: 1px solid var(--border); flex: none; }
.card { background: var(--card); color: var(--card-foreground); border: 1px solid var(--border);
  border-radius: var(--radius-lg); box-shadow: var(--shadow-md); padding: calc(var(--sp) * 5); }
.row { display: flex; flex-wrap: wrap; gap: calc(var(--sp) * 3); align-items: center; }
.grid3 { display: grid; grid-template-columns: repeat(3, 1fr); gap: calc(var(--sp) * 4); }
.btn { min-height: var(--target); padding: 0 calc(var(--sp) * 4); border-radius: var(--radius-md);
  border: 1px solid transparent; font: inherit; font-weight: 600; cursor: pointer; }
.btn:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--ring); outline-offset: 2px; }
.primary { background: var(--primary); color: var(--primary-foreground); }
.secondary { background: var(--secondary); color: var(--secondary-foreground); }
.accent { background: var(--accent); color: var(--accent-foreground); }
.destructive { background: var(--destructive); color: var(--destructive-foreground); }
.outline { background: var(--background); color: var(--foreground); border-color: var(--input); }
label { display: grid; gap: 4px; font-weight: 600; }
input, select { min-height: var(--target); padding: 0 calc(var(--sp) * 3); font: inherit;
  background: var(--background); color: var(--foreground); border: 1px solid var(--input); border-radius: var(--radius-md); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: calc(var(--sp) * 2) calc(var(--sp) * 3); border-bottom: 1px solid var(--border); }
th { background: var(--muted); color: var(--muted-foreground); }
.step code { font-size: 0.75rem; display: inline-block; min-width: 12rem; color: var(--muted-foreground); }
.bar { height: 80px; display: flex; align-items: end; gap: 6px; }
.bar i { flex: 1; border-radius: var(--radius-sm) var(--radius-sm) 0 0; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 0.75rem; }
.popover { background: var(--popover); color: var(--popover-foreground); border: 1px solid var(--border);
  border-radius: var(--radius-md); box-shadow: var(--shadow-sm); padding: calc(var(--sp) * 3); }
</style>
<script>
(() => {
  const h = location.hash;
  const dark = h === "#dark" || (h !== "#light" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
})();
</script>
</head>
<body>
<header>
  <div><h1 style="margin:0">${esc(d.title)}</h1>
  <span class="muted">WCAG 2 ${d.wcag_level} · density ${d.layout.density} · ${
    esc(d.layout.navigation)
  } navigation</span></div>
  <button class="btn outline" onclick="document.documentElement.classList.toggle('dark')">Toggle dark</button>
</header>
<main>
<section><h2>Palette and contrast</h2><div class="panels">
${palettePanel(d, "light")}
${palettePanel(d, "dark")}
</div></section>
<section class="card"><h2>Type scale</h2>${scale}</section>
<section><h2>Buttons</h2><div class="row">
<button class="btn primary">Primary</button><button class="btn secondary">Secondary</button>
<button class="btn accent">Accent</button><button class="btn outline">Outline</button>
<button class="btn destructive">Delete</button></div></section>
<section class="grid3">
<div class="card"><h3>Card</h3><p class="muted">Muted text on a card for secondary detail.</p>
<span class="badge primary">Active</span> <span class="badge secondary">Draft</span></div>
<div class="card"><h3>Form</h3><div style="display:grid;gap:12px">
<label>Email<input type="email" value="ada@example.com"></label>
<label>Plan<select><option>Team</option><option>Business</option></select></label>
<label style="display:flex;gap:8px;align-items:center"><input type="checkbox" checked style="min-height:auto"> I agree</label>
<button class="btn primary">Save</button></div></div>
<div class="card"><h3>Chart</h3><div class="bar">
${
    [1, 2, 3, 4, 5].map((n) =>
      `<i style="background:var(--chart-${n});height:${30 + n * 12}%"></i>`
    ).join("")
  }
</div><div class="popover" style="margin-top:12px">Popover: 5 series, chart-1 … chart-5</div></div>
</section>
<section class="card"><h2>Table</h2><table>
<thead><tr><th>Name</th><th>Status</th><th>Amount</th></tr></thead>
<tbody>
<tr><td>Northwind</td><td><span class="badge accent">Open</span></td><td><code>$1,200.00</code></td></tr>
<tr><td>Contoso</td><td><span class="badge secondary">Won</span></td><td><code>$8,450.00</code></td></tr>
<tr><td>Fabrikam</td><td><span class="badge destructive">Lost</span></td><td><code>$0.00</code></td></tr>
</tbody></table></section>
<section class="card"><h2>Merge decisions</h2><ul>${issues}</ul>
<p class="muted">${d.adjustments.length} lightness adjustment(s) made for contrast.</p></section>
</main>
</body>
</html>
`;
}
