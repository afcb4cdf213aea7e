/** One cold and one warm dashboard read in a fresh process (used by bench/dashboard.ts). */
const [root] = Deno.args;
const t0 = performance.now();
const { DashboardReader } = await import("../src/dashboard/mod.ts");
const reader = new DashboardReader({ roots: [root], depth: 3, env: Deno.env.toObject() });
const rows = await reader.snapshots();
const t1 = performance.now();
await reader.snapshots();
const t2 = performance.now();
const { discoverProjects } = await import("../src/dashboard/mod.ts");
await discoverProjects([root], { depth: 3, env: {} });
const t3 = performance.now();
console.log(JSON.stringify({
  projects: rows.length,
  errors: rows.filter((r) => r.error).length,
  cold_ms: t1 - t0,
  warm_ms: t2 - t1,
  discovery_ms: t3 - t2,
}));
