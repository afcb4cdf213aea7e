/**
 * Screenshots of `br design preview` pages in headless Chromium (Debian's `chromium`; .ci/run
 * installs it): non-blank, and light differs from dark. Without a browser (no `CHROMIUM_BIN`,
 * no `chromium` on PATH) the test is skipped with one line saying how to run it, except under
 * CI (`CI` set), where a missing browser fails it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Buffer } from "node:buffer";
import { PNG } from "pngjs";
import { br, tempDir } from "../helpers.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_BIN") ?? "chromium";

/** True when `cmd` names an executable file, given as a path or found on PATH. */
function onPath(cmd: string): boolean {
  const dirs = cmd.includes("/") ? [""] : (Deno.env.get("PATH") ?? "").split(":");
  return dirs.some((dir) => {
    try {
      const info = Deno.statSync(dir ? join(dir, cmd) : cmd);
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

const skip = !onPath(CHROMIUM) && !Deno.env.get("CI");
if (skip) {
  console.log(
    `design preview browser test skipped: no "${CHROMIUM}" found; ` +
      'install Debian\'s "chromium" or set CHROMIUM_BIN to a Chromium binary to run it',
  );
}

async function screenshot(
  html: string,
  hash: string,
  dir: string,
  name: string,
): Promise<PNG> {
  const png = join(dir, `${name}.png`);
  const out = await new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--hide-scrollbars",
      `--user-data-dir=${join(dir, `profile-${name}`)}`,
      "--window-size=1000,1000",
      `--screenshot=${png}`,
      `${pathToFileURL(html).href}#${hash}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    out.code,
    0,
    `chromium failed: ${new TextDecoder().decode(out.stderr)}`,
  );
  return PNG.sync.read(Buffer.from(await Deno.readFile(png)));
}

/** Mean luminance (0..255) and the number of distinct colors of an image. */
function stats(img: PNG): { mean: number; colors: number } {
  let sum = 0;
  const seen = new Set<number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    sum += 0.2126 * r + 0.7152 * g + 0.0722 * b;
    seen.add((r << 16) | (g << 8) | b);
  }
  return { mean: sum / (img.data.length / 4), colors: seen.size };
}

/** Luminance (0..255) of one pixel. */
function pixel(img: PNG, x: number, y: number): number {
  const i = (y * img.width + x) * 4;
  return 0.2126 * img.data[i] + 0.7152 * img.data[i + 1] +
    0.0722 * img.data[i + 2];
}

Deno.test({
  name: "design: preview pages render in headless Chromium, non-blank, light differs from dark",
  ignore: skip,
}, async () => {
  await using dir = await tempDir();
  const combos = [["healthcare", "dashboard"], ["e-commerce", "marketplace"]];
  const pages = await Promise.all(combos.map(async ([industry, useCase]) => {
    const html = join(dir.path, `${industry}.html`);
    const r = await br(
      ["design", "preview", industry, useCase, "--out", html],
      { cwd: dir.path },
    );
    assert.equal(r.code, 0, r.stderr);
    return { industry, html };
  }));
  const shots = await Promise.all(
    pages.flatMap(({ industry, html }) =>
      ["light", "dark"].map(async (mode) => ({
        industry,
        mode,
        img: await screenshot(html, mode, dir.path, `${industry}-${mode}`),
      }))
    ),
  );
  for (const { industry } of pages) {
    const light = shots.find((s) => s.industry === industry && s.mode === "light")!.img;
    const dark = shots.find((s) => s.industry === industry && s.mode === "dark")!.img;
    const l = stats(light);
    const d = stats(dark);
    assert.equal(light.width, 1000);
    assert.ok(
      l.colors > 200 && d.colors > 200,
      `${industry}: rendered content (${l.colors}, ${d.colors} colors)`,
    );
    assert.ok(
      l.mean - d.mean > 30,
      `${industry}: light ${l.mean} vs dark ${d.mean}`,
    );
    // The page background (top-left corner, the header) follows the mode.
    assert.ok(
      pixel(light, 4, 4) > 200,
      `${industry}: light header ${pixel(light, 4, 4)}`,
    );
    assert.ok(
      pixel(dark, 4, 4) < 60,
      `${industry}: dark header ${pixel(dark, 4, 4)}`,
    );
    assert.notDeepEqual(light.data, dark.data);
  }
  // Two combinations look different from each other too.
  const a = shots.find((s) => s.industry === "healthcare" && s.mode === "light")!.img;
  const b = shots.find((s) => s.industry === "e-commerce" && s.mode === "light")!.img;
  assert.notDeepEqual(a.data, b.data);
});
