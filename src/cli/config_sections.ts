/**
 * Loads every capability's config section, so that `br config` knows all keys. Each
 * capability that owns settings adds its module here.
 */
export async function loadAllConfigSections(): Promise<void> {
  await import("../project/config.ts");
  await import("../cost/config.ts");
  await import("../security/config.ts");
  await import("../orchestrator/config.ts");
  await import("../quality/config.ts");
  await import("../design/config.ts");
  await import("../spec/config.ts");
  await import("../telemetry/config.ts");
  await import("../routing/config.ts");
  await import("../dashboard/config.ts");
  await import("../debug/config.ts");
  await import("../core/store_config.ts");
}
