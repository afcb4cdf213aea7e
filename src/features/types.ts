/** Feature statuses, in workflow order. */
export const STATUSES = ["planned", "in_progress", "testing", "blocked", "complete"] as const;
/** A feature status. */
export type FeatureStatus = typeof STATUSES[number];

/** Priorities, highest first. */
export const PRIORITIES = ["critical", "high", "medium", "low"] as const;
/** A feature priority. */
export type FeaturePriority = typeof PRIORITIES[number];

/**
 * Why a `planned` feature is set aside (Task Master's `deferred` and `cancelled`): a parked
 * feature is never proposed as next and does not count as open work.
 */
export const PARKED = ["deferred", "cancelled"] as const;
/** A reason a feature is parked. */
export type ParkedReason = typeof PARKED[number];

/** One feature of `features.json`. Unknown fields are kept as they are. */
export interface Feature {
  /** Unique id; also names git branches. */
  id: string;
  /** Human name. */
  name: string;
  /** What it is. */
  description: string;
  /** Where it stands. */
  status: FeatureStatus;
  /** How much it matters. */
  priority: FeaturePriority;
  /** The project version it belongs to. */
  version: string;
  /** Ids of features that must be complete first. */
  dependencies: string[];
  /** Acceptance criteria. */
  acceptance: string[];
  /** Globs of where the work lives. */
  files: string[];
  /** Free tags. */
  tags: string[];
  /** Who owns it. */
  owner: string | null;
  /** Planned week. */
  week: number | null;
  /** Build label (e.g. `1A`; files of BuildRunner 3.1 may hold a number). */
  build: string | number | null;
  /** Why it is blocked. */
  blocked_reason: string | null;
  /** ISO time of creation. */
  created_at: string;
  /** ISO time of the last change. */
  updated_at: string;
  /** ISO time of completion. */
  completed_at: string | null;
  /** Fields written by other tools or versions. */
  [extra: string]: unknown;
}

/** The metrics block, recomputed on every write. */
export interface FeatureMetrics {
  /** All features. */
  features_total: number;
  /** Complete. */
  features_complete: number;
  /** In progress. */
  features_in_progress: number;
  /** In testing. */
  features_testing: number;
  /** Planned. */
  features_planned: number;
  /** Blocked. */
  features_blocked: number;
  /** Parked (deferred or cancelled; also counted as planned is not: they are left out). */
  features_parked: number;
  /** Whole percent complete of the features that are not parked (0 for none). */
  completion_percentage: number;
}

/** The whole `features.json`. */
export interface FeaturesFile {
  /** Project name. */
  project: string;
  /** Project version. */
  version: string;
  /** Project status (free text such as `in_development`). */
  status: string;
  /** Project description. */
  description: string;
  /** ISO time of the last write. */
  last_updated: string;
  /** The features, in file order. */
  features: Feature[];
  /** Counts by status. */
  metrics: FeatureMetrics;
  /** Fields written by other tools or versions. */
  [extra: string]: unknown;
}
