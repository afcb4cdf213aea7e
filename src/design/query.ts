/** Listing and showing profiles and patterns. */
import type { Project } from "../core/project.ts";
import { findPattern, findProfile } from "./catalog.ts";
import { loadDesignCatalog } from "./generate.ts";
import type { DesignSource, Pattern, Profile, WcagLevel } from "./types.ts";

/** One line of `br design profiles`. */
export interface ProfileSummary {
  /** Id. */
  id: string;
  /** Name. */
  name: string;
  /** Description. */
  description: string;
  /** Built in or user. */
  source: DesignSource;
  /** Contrast level. */
  wcag_level: WcagLevel;
  /** Compliance ids, sorted. */
  compliance: string[];
  /** Primary color in light and dark. */
  primary: { light: string; dark: string };
}

/** One line of `br design patterns`. */
export interface PatternSummary {
  /** Id. */
  id: string;
  /** Name. */
  name: string;
  /** Description. */
  description: string;
  /** Built in or user. */
  source: DesignSource;
  /** Navigation. */
  navigation: string;
  /** Density. */
  density: string;
  /** Traits, sorted. */
  traits: string[];
}

/**
 * Every profile (built-in and the project's), sorted by id.
 *
 * @throws {BrError} `invalid_data` for a user file that fails its schema.
 */
export async function designProfiles(project: Project | null): Promise<ProfileSummary[]> {
  const catalog = await loadDesignCatalog(project);
  return catalog.profiles.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    source: p.source,
    wcag_level: p.wcag_level,
    compliance: p.compliance.map((c) => c.id).sort(),
    primary: { light: p.colors.light.primary, dark: p.colors.dark.primary },
  }));
}

/**
 * One profile.
 *
 * @throws {BrError} `not_found` (exit 4) listing the known ids.
 */
export async function designProfile(project: Project | null, id: string): Promise<Profile> {
  return findProfile(await loadDesignCatalog(project), id);
}

/**
 * Every pattern (built-in and the project's), sorted by id.
 *
 * @throws {BrError} `invalid_data` for a user file that fails its schema.
 */
export async function designPatterns(project: Project | null): Promise<PatternSummary[]> {
  const catalog = await loadDesignCatalog(project);
  return catalog.patterns.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    source: p.source,
    navigation: p.layout.navigation,
    density: p.layout.density,
    traits: [...p.traits].sort(),
  }));
}

/**
 * One pattern.
 *
 * @throws {BrError} `not_found` (exit 4) listing the known ids.
 */
export async function designPattern(project: Project | null, id: string): Promise<Pattern> {
  return findPattern(await loadDesignCatalog(project), id);
}
