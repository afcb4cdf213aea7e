/**
 * `br dashboard serve` driven in real headless Chromium (Debian's `chromium` through
 * playwright-core): the overview lists the projects, a `br feature complete` in one project
 * shows up without a reload, the detail page renders its chart, path traversal gets 404,
 * a foreign Host header is refused, and screenshots are non-blank in light and dark mode.
 * Without a browser (no `CHROMIUM_BIN`, no /usr/bin/chromium) the test is skipped with one
 * line, except under CI (`CI` set), where a missing browser fails it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { PNG } from "pngjs";
import { chromium } from "playwright-core";
import { br, brArgv, brProcess, tempDir } from "../helpers.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_BIN") ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function executable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

const skip = !executable(CHROMIUM) && !Deno.env.get("CI");
if (skip) {
  console.log(
    `dashboard web test skipped: no "${CHROMIUM}" found; ` +
      'install Debian\'s "chromium" or set CHROMIUM_BIN to a Chromium binary to run it',
  );
}

/** Starts `br dashboard serve --port 0` as a subprocess; resolves with its URL. */
async function startServer(cwd: string, roots: string, env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["dashboard", "serve", "--roots", roots, "--port", "0"]),
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/Dashboard: (\S+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(child.stderr).text();
      throw new Error(`server exited: ${text}${err}`);
    }
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  child.stderr.cancel().catch(() => {});
  return { child, url: /Dashboard: (\S+)/.exec(text)![1] };
}

/** A raw HTTP/1.1 request (no URL normalization), returning the status line's code. */
async function rawStatus(port: number, path: string, host = `127.0.0.1:${port}`) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
  );
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  while (true) {
    const n = await conn.read(buf).catch(() => null);
    if (!n) break;
    chunks.push(buf.slice(0, n));
  }
  conn.close();
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), text };
}

function distinctColors(png: Buffer): number {
  const img = PNG.sync.read(png);
  const seen = new Set<number>();
  for (let i = 0; i < img.data.length; i += 4 * 7) seen.add(img.data.readUInt32BE(i));
  return seen.size;
}

Deno.test({
  name: "br dashboard serve shows live projects in headless Chromium",
  ignore: skip,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using tmp = await tempDir();
    const roots = join(tmp.path, "code");
    const env = { BR_HOME: join(tmp.path, "home") };
    for (const name of ["alpha", "beta", "gamma"]) {
      const dir = join(roots, name);
      await Deno.mkdir(dir, { recursive: true });
      const init = await br(["init", "--name", name], { cwd: dir, env });
      assert.equal(init.code, 0, init.stderr);
    }
    const alpha = join(roots, "alpha");
    for (const f of ["Login", "Signup"]) {
      const add = await br(["feature", "add", f], { cwd: alpha, env });
      assert.equal(add.code, 0, add.stderr);
    }
    const { child, url } = await startServer(tmp.path, roots, env);
    const port = Number(new URL(url).port);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

      await t.step("the overview lists the projects", async () => {
        await page.goto(url);
        await page.waitForSelector('tr[data-project="gamma"]');
        const names = await page.$$eval(
          "tr[data-project]",
          (rows) => rows.map((r) => r.getAttribute("data-project")),
        );
        assert.deepEqual(names, ["alpha", "beta", "gamma"]);
        await page.waitForSelector("#live.on");
      });

      await t.step("a feature completed by the CLI appears without a reload", async () => {
        await page.evaluate(() => (globalThis as unknown as { marker: number }).marker = 42);
        const done = await brProcess(["feature", "complete", "login"], { cwd: alpha, env });
        assert.equal(done.code, 0, done.stderr);
        await page.waitForSelector('tr[data-project="alpha"] td[data-completion="50"]', {
          timeout: 10_000,
        });
        // The same document: no navigation happened.
        assert.equal(
          await page.evaluate(() => (globalThis as unknown as { marker: number }).marker),
          42,
        );
      });

      await t.step("the detail page renders its cost chart", async () => {
        await page.click('tr[data-project="alpha"] a');
        await page.waitForSelector('#features tr[data-feature="login"][data-status="complete"]');
        await page.waitForFunction(() => {
          // Runs in the page (its DOM types are not this file's).
          const doc = (globalThis as unknown as {
            document: {
              querySelector(s: string): { complete: boolean; naturalWidth: number } | null;
            };
          }).document;
          const img = doc.querySelector("#cost-chart");
          return !!img && img.complete && img.naturalWidth > 0;
        });
        await page.fill("#filter-text", "sign");
        const shown = await page.$$eval(
          "#features tr",
          (rows) => rows.map((r) => r.getAttribute("data-feature")),
        );
        assert.deepEqual(shown, ["signup"]);
        const svg = await (await fetch(
          new URL(
            `/api/project/${encodeURIComponent(page.url().split("/project/")[1])}/cost.svg`,
            url,
          ),
        )).text();
        assert.match(svg, /^<svg [^>]*role="img"/);
        assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 30);
      });

      await t.step("path traversal attempts get 404", async () => {
        for (
          const path of [
            "/../../etc/passwd",
            "/project/..%2F..%2F..%2Fetc%2Fpasswd",
            "/project/../../deno.json",
            "/assets/../../../etc/passwd",
            "/assets/..%2f..%2fdeno.json",
            "/api/project/..%2F..%2Fetc/cost.svg",
            "/api/project/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/.buildrunner/features.json",
            "/alpha/.buildrunner/features.json",
          ]
        ) {
          const res = await rawStatus(port, path);
          assert.equal(res.status, 404, `${path}: ${res.text.slice(0, 200)}`);
          assert.doesNotMatch(res.text, /root:|"imports"|"features"/);
        }
      });

      await t.step("a foreign Host header is refused; responses carry a strict CSP", async () => {
        const res = await rawStatus(port, "/api/overview", "evil.example:80");
        assert.equal(res.status, 403);
        const ok = await fetch(new URL("/api/overview", url));
        await ok.body?.cancel();
        assert.equal(ok.status, 200);
        const csp = ok.headers.get("content-security-policy") ?? "";
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /script-src 'self'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      });

      await t.step("screenshots are non-blank in light and dark mode", async () => {
        await page.goto(url);
        await page.waitForSelector('tr[data-project="gamma"]');
        await page.emulateMedia({ colorScheme: "light" });
        const light = await page.screenshot();
        await page.emulateMedia({ colorScheme: "dark" });
        const dark = await page.screenshot();
        assert.ok(distinctColors(light) > 8, "light screenshot is blank");
        assert.ok(distinctColors(dark) > 8, "dark screenshot is blank");
        const bg = (png: Buffer) => PNG.sync.read(png).data.readUInt32BE(4 * (800 * 1200 - 10));
        assert.notEqual(bg(light), bg(dark), "dark mode looks like light mode");
      });
      assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
    } finally {
      await browser.close();
      child.kill("SIGTERM");
      await child.status;
    }
  },
});
