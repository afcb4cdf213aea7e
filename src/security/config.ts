import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection } from "../core/config.ts";

/** The `security` settings. */
export const securitySection: AnyObjectSchema = defineConfigSection(
  "security",
  z.looseObject({
    /** A gitleaks configuration (relative to the project root), read as gitleaks reads it. */
    rules_file: z.string().nullable().default(null),
    /** Use the built-in rules (with a rules file: what `[extend] useDefault` extends). */
    builtin_rules: z.boolean().default(true),
    /** Look for SQL injection in TS/JS and Python. */
    sql: z.boolean().default(true),
    /** Files larger than this (bytes) are skipped and counted. */
    max_file_bytes: z.number().int().positive().default(5 * 1024 * 1024),
    /** Threads of a scan of files (0: one per core, at most 4; 1: no worker threads). */
    threads: z.number().int().min(0).default(0),
  }),
);
