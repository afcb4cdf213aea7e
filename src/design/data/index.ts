/** The built-in profiles and patterns: static JSON imports, so `deno compile` embeds them. */
import p_e_commerce from "./profiles/e-commerce.json" with { type: "json" };
import p_education from "./profiles/education.json" with { type: "json" };
import p_enterprise from "./profiles/enterprise.json" with { type: "json" };
import p_fintech from "./profiles/fintech.json" with { type: "json" };
import p_healthcare from "./profiles/healthcare.json" with { type: "json" };
import p_media from "./profiles/media.json" with { type: "json" };
import p_real_estate from "./profiles/real-estate.json" with { type: "json" };
import p_saas from "./profiles/saas.json" with { type: "json" };
import u_admin_panel from "./patterns/admin-panel.json" with { type: "json" };
import u_analytics from "./patterns/analytics.json" with { type: "json" };
import u_api_service from "./patterns/api-service.json" with { type: "json" };
import u_content_platform from "./patterns/content-platform.json" with { type: "json" };
import u_crm from "./patterns/crm.json" with { type: "json" };
import u_dashboard from "./patterns/dashboard.json" with { type: "json" };
import u_marketplace from "./patterns/marketplace.json" with { type: "json" };
import u_onboarding from "./patterns/onboarding.json" with { type: "json" };

/** Built-in profile files, unvalidated (validated at load). */
export const BUILTIN_PROFILES: readonly unknown[] = [
  p_e_commerce,
  p_education,
  p_enterprise,
  p_fintech,
  p_healthcare,
  p_media,
  p_real_estate,
  p_saas,
];
/** Built-in pattern files, unvalidated (validated at load). */
export const BUILTIN_PATTERNS: readonly unknown[] = [
  u_admin_panel,
  u_analytics,
  u_api_service,
  u_content_platform,
  u_crm,
  u_dashboard,
  u_marketplace,
  u_onboarding,
];
