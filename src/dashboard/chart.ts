/**
 * A small bar chart of cost per day, drawn as SVG on the server: no charting library and
 * no script in the page (the page's Content-Security-Policy allows neither inline script
 * nor inline style). Colors are mid-tones readable on light and dark backgrounds.
 *
 * @module
 */

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An SVG document with one bar per day (`days` oldest first) and the total. */
export function costChartSvg(days: readonly { day: string; usd: number }[]): string {
  const w = 640;
  const h = 180;
  const left = 48;
  const bottom = 28;
  const top = 24;
  const max = Math.max(0, ...days.map((d) => d.usd));
  const scale = max > 0 ? (h - top - bottom) / max : 0;
  const step = days.length ? (w - left - 8) / days.length : 0;
  const total = days.reduce((s, d) => s + d.usd, 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="Cost per day">`,
    `<title>Cost per day, last ${days.length} days: $${total.toFixed(2)}</title>`,
    `<line x1="${left}" y1="${h - bottom}" x2="${w - 4}" y2="${
      h - bottom
    }" stroke="#8a8f98" stroke-width="1"/>`,
    `<text x="${left}" y="14" font-family="sans-serif" font-size="12" fill="#8a8f98">max $${
      max.toFixed(2)
    } / day, total $${total.toFixed(2)}</text>`,
  ];
  days.forEach((d, i) => {
    const bh = Math.max(d.usd > 0 ? 1 : 0, d.usd * scale);
    const x = left + i * step + 1;
    parts.push(
      `<rect class="bar" x="${x.toFixed(1)}" y="${(h - bottom - bh).toFixed(1)}" width="${
        Math.max(1, step - 2).toFixed(1)
      }" height="${bh.toFixed(1)}" fill="#4f7fe0"><title>${esc(d.day)}: $${
        d.usd.toFixed(2)
      }</title></rect>`,
    );
  });
  if (days.length) {
    for (const [i, anchor] of [[0, "start"], [days.length - 1, "end"]] as const) {
      const x = anchor === "start" ? left : w - 4;
      parts.push(
        `<text x="${x}" y="${
          h - 8
        }" text-anchor="${anchor}" font-family="sans-serif" font-size="11" fill="#8a8f98">${
          esc(days[i].day)
        }</text>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}
