// The features check of pre-commit: loaded only for a commit that stages features.json, in one
// import (the registry, the graph check and the STATUS.md renderer).
import { assertValidGraph } from "../features/graph.ts";
import { parseFeaturesText } from "../features/registry.ts";
import { renderStatusMarkdown } from "../features/status_render.ts";

/**
 * The STATUS.md of a staged features.json (`text`, labelled `file` in messages).
 *
 * @throws {BrError} `invalid_data` for bad JSON, a schema violation or a broken dependency graph.
 */
export async function stagedStatus(text: string, file: string): Promise<string> {
  const features = await parseFeaturesText(text, file);
  assertValidGraph(features.features, file);
  return renderStatusMarkdown(features);
}
