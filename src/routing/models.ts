/**
 * The models routing chooses from. Until the cost catalog exists, a small built-in table with
 * list prices (USD per million tokens) and a tier: the highest complexity level the model is
 * trusted with before any outcome is recorded (1 simple ... 4 critical). Config
 * `routing.models` adds models or overrides these by id.
 */
import type { Project } from "../core/project.ts";

/** A model routing can select. */
export interface RoutingModel {
  /** Model id as the provider names it. */
  id: string;
  /** `anthropic`, `openai`, `google`, ... */
  provider: string;
  /** Context window, in tokens. */
  context_window: number;
  /** USD per million input tokens. */
  input_usd_per_mtok: number;
  /** USD per million output tokens. */
  output_usd_per_mtok: number;
  /** Highest level it is trusted with by default: 1 simple, 2 moderate, 3 complex, 4 critical. */
  tier: number;
}

/** The built-in table: list prices of the standard context tier at the time of writing. */
export const BUILTIN_MODELS: readonly RoutingModel[] = [
  {
    id: "claude-haiku-4-5",
    provider: "anthropic",
    context_window: 200_000,
    input_usd_per_mtok: 1,
    output_usd_per_mtok: 5,
    tier: 2,
  },
  {
    id: "claude-sonnet-4-5",
    provider: "anthropic",
    context_window: 200_000,
    input_usd_per_mtok: 3,
    output_usd_per_mtok: 15,
    tier: 3,
  },
  {
    id: "claude-opus-4-5",
    provider: "anthropic",
    context_window: 200_000,
    input_usd_per_mtok: 5,
    output_usd_per_mtok: 25,
    tier: 4,
  },
  {
    id: "gpt-5-mini",
    provider: "openai",
    context_window: 400_000,
    input_usd_per_mtok: 0.25,
    output_usd_per_mtok: 2,
    tier: 2,
  },
  {
    id: "gpt-5",
    provider: "openai",
    context_window: 400_000,
    input_usd_per_mtok: 1.25,
    output_usd_per_mtok: 10,
    tier: 3,
  },
  {
    id: "gemini-2.5-flash",
    provider: "google",
    context_window: 1_048_576,
    input_usd_per_mtok: 0.3,
    output_usd_per_mtok: 2.5,
    tier: 1,
  },
  {
    id: "gemini-2.5-pro",
    provider: "google",
    context_window: 1_048_576,
    input_usd_per_mtok: 1.25,
    output_usd_per_mtok: 10,
    tier: 3,
  },
];

/** The models of a project: the built-in table with `routing.models` merged by id, sorted. */
export async function routingModels(project: Project): Promise<RoutingModel[]> {
  await import("./config.ts");
  const config = await project.config();
  const extra = config.get<RoutingModel[]>("routing.models") ?? [];
  const byId = new Map(BUILTIN_MODELS.map((m) => [m.id, { ...m }]));
  for (const m of extra) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()].sort((a, b) =>
    a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id)
  );
}

/** Estimated USD of one task with `tokens` on `model`. */
export function taskCost(model: RoutingModel, tokens: { input: number; output: number }): number {
  return (tokens.input * model.input_usd_per_mtok + tokens.output * model.output_usd_per_mtok) /
    1_000_000;
}
