import denoJson from "../../deno.json" with { type: "json" };

/** The version of `br` (deno.json's `version`). */
export const VERSION: string = denoJson.version;
