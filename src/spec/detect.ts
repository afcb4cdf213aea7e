import { INDUSTRIES, type Industry, USE_CASES, type UseCase } from "./types.ts";

/** The default confidence below which detection answers `unknown`. */
export const DEFAULT_DETECTION_THRESHOLD = 0.55;

/** Keywords per name: strong ones count 2, weak ones 1. */
interface Lexicon {
  strong: string[];
  weak: string[];
}

const INDUSTRY_WORDS: Record<Industry, Lexicon> = {
  healthcare: {
    strong: [
      "patient",
      "clinic",
      "clinical",
      "clinician",
      "hospital",
      "doctor",
      "physician",
      "nurse",
      "medical",
      "medication",
      "health",
      "healthcare",
      "telehealth",
      "telemedicine",
      "ehr",
      "emr",
      "hipaa",
      "pharmacy",
      "prescription",
      "diagnosis",
      "therapy",
      "therapist",
      "dental",
      "dentist",
      "vaccination",
      "caregiver",
      "surgery",
      "lab result",
    ],
    weak: ["appointment", "care", "wellness", "symptom", "vitals", "treatment"],
  },
  fintech: {
    strong: [
      "bank",
      "banking",
      "payment",
      "loan",
      "lending",
      "fintech",
      "wallet",
      "crypto",
      "trading",
      "stock",
      "investment",
      "investor",
      "portfolio",
      "brokerage",
      "fraud",
      "kyc",
      "pci",
      "remittance",
      "budgeting",
      "credit score",
      "credit card",
      "mortgage",
      "money transfer",
      "transaction",
      "ledger",
      "insurance",
      "neobank",
    ],
    weak: ["money", "finance", "financial", "savings", "expense", "tax", "card", "spending"],
  },
  saas: {
    strong: [
      "saas",
      "subscription",
      "multi-tenant",
      "tenants",
      "workspace",
      "self-serve",
      "free trial",
      "seats",
      "pricing tier",
      "churn",
      "b2b",
      "project management",
      "collaboration tool",
      "software as a service",
      "per-seat",
      "team plan",
    ],
    weak: ["team", "collaboration", "productivity", "plan", "startup", "sign up", "integration"],
  },
  "e-commerce": {
    strong: [
      "e-commerce",
      "ecommerce",
      "online store",
      "shop",
      "storefront",
      "shopping cart",
      "cart",
      "checkout",
      "product catalog",
      "sku",
      "inventory",
      "merchant",
      "retail",
      "retailer",
      "coupon",
      "shipping",
      "fulfillment",
      "order tracking",
      "shopify",
      "apparel",
      "sneaker",
    ],
    weak: ["buy", "product", "order", "discount", "customer", "purchase", "sell"],
  },
  education: {
    strong: [
      "student",
      "teacher",
      "course",
      "school",
      "classroom",
      "lesson",
      "curriculum",
      "learning",
      "e-learning",
      "lms",
      "university",
      "campus",
      "homework",
      "quiz",
      "tutor",
      "tutoring",
      "ferpa",
      "exam",
      "learner",
      "instructor",
      "professor",
      "syllabus",
      "edtech",
    ],
    weak: ["education", "class", "training", "study", "grade", "teach"],
  },
  "real-estate": {
    strong: [
      "real estate",
      "property",
      "landlord",
      "lease",
      "rental",
      "realtor",
      "apartment",
      "housing",
      "mls",
      "home buyer",
      "homebuyer",
      "open house",
      "property manager",
      "estate agent",
      "condo",
      "square feet",
      "tenancy",
      "renter",
    ],
    weak: ["rent", "home", "house", "neighborhood", "viewing", "buyer"],
  },
  media: {
    strong: [
      "media",
      "news",
      "newsroom",
      "video",
      "streaming",
      "podcast",
      "publisher",
      "magazine",
      "music",
      "film",
      "movie",
      "journalist",
      "journalism",
      "editorial",
      "broadcast",
      "episode",
      "radio",
      "tv show",
      "newspaper",
      "documentary",
    ],
    weak: ["content", "viewer", "reader", "playlist", "audience", "story", "channel"],
  },
  enterprise: {
    strong: [
      "enterprise",
      "employee",
      "hr",
      "human resources",
      "erp",
      "procurement",
      "corporate",
      "workforce",
      "payroll",
      "sso",
      "intranet",
      "supply chain",
      "vendor management",
      "thousands of staff",
      "headcount",
      "department",
      "business unit",
      "global company",
      "active directory",
      "ldap",
      "purchase order",
    ],
    weak: ["internal", "organization", "staff", "approval", "audit", "compliance", "office"],
  },
};

const USE_CASE_WORDS: Record<UseCase, Lexicon> = {
  dashboard: {
    strong: [
      "dashboard",
      "at a glance",
      "kpi",
      "widget",
      "monitoring",
      "status board",
      "live view",
      "real-time metrics",
      "control room",
      "overview screen",
      "home screen",
      "tiles",
      "wallboard",
    ],
    weak: ["overview", "metrics", "monitor", "summary", "chart", "real-time"],
  },
  marketplace: {
    strong: [
      "marketplace",
      "buyers and sellers",
      "seller",
      "vendors",
      "listings",
      "two-sided",
      "peer-to-peer",
      "commission",
      "auction",
      "bid",
      "hosts and guests",
      "freelancer",
      "sellers",
      "gig",
      "match buyers",
      "take rate",
    ],
    weak: ["listing", "booking", "browse", "book", "offer"],
  },
  crm: {
    strong: [
      "crm",
      "lead",
      "sales pipeline",
      "pipeline",
      "deal",
      "contacts",
      "sales team",
      "customer relationship",
      "prospect",
      "follow-up",
      "account manager",
      "sales rep",
      "client relationship",
      "opportunities",
      "cold outreach",
    ],
    weak: ["sales", "client", "outreach", "contact", "relationship"],
  },
  analytics: {
    strong: [
      "analytics",
      "analysis",
      "insight",
      "report",
      "reporting",
      "funnel",
      "cohort",
      "trend",
      "forecast",
      "data warehouse",
      "segmentation",
      "business intelligence",
      "visualize",
      "visualization",
      "ad-hoc quer",
      "attribution",
      "a/b test",
      "retention curve",
      "explore data",
    ],
    weak: ["data", "measure", "metric", "statistics", "chart", "breakdown"],
  },
  onboarding: {
    strong: [
      "onboarding",
      "onboard",
      "sign-up flow",
      "signup flow",
      "welcome",
      "first-run",
      "setup wizard",
      "new users",
      "activation",
      "getting started",
      "walkthrough",
      "tutorial",
      "guided",
      "step-by-step",
      "first day",
      "new hire",
      "account setup",
      "first login",
    ],
    weak: ["invite", "verification", "profile setup", "checklist", "introduce"],
  },
  "admin-panel": {
    strong: [
      "admin",
      "administrator",
      "back office",
      "backoffice",
      "moderation",
      "moderate",
      "permission",
      "roles",
      "user management",
      "manage users",
      "internal tool",
      "ban",
      "staff console",
      "support console",
      "feature flag",
      "audit log",
      "impersonate",
    ],
    weak: ["manage", "approve", "configuration", "settings", "operator"],
  },
  "content-platform": {
    strong: [
      "content platform",
      "publish",
      "publishing",
      "cms",
      "article",
      "blog",
      "post",
      "author",
      "editor",
      "writer",
      "newsletter",
      "creator",
      "community",
      "comment",
      "podcast",
      "video",
      "recipe",
      "knowledge base",
      "wiki",
      "documentation site",
    ],
    weak: ["content", "read", "share", "follow", "story"],
  },
  "api-service": {
    strong: [
      "api",
      "rest",
      "graphql",
      "endpoint",
      "webhook",
      "sdk",
      "microservice",
      "rate limit",
      "grpc",
      "openapi",
      "json",
      "backend service",
      "headless",
      "api key",
      "http service",
      "developers integrate",
      "machine-to-machine",
    ],
    weak: ["integration", "service", "backend", "programmatic", "developer"],
  },
};

/** One candidate of a detection, with its score. */
export interface DetectionCandidate {
  /** Name. */
  name: string;
  /** Sum of keyword weights matched. */
  score: number;
}

/** What detection found for one dimension. */
export interface KindDetection {
  /** The name, or `unknown` below the threshold. */
  value: string;
  /** 0..1: the winner's share against the runner-up, times how much evidence there is. */
  confidence: number;
  /** The words of the description that decided it (of the best candidate). */
  matched: string[];
  /** The best candidates (up to 3), highest first. */
  candidates: DetectionCandidate[];
}

/** Industry and use case detected from a description. */
export interface ProjectDetection {
  /** Industry. */
  industry: KindDetection;
  /** Use case. */
  use_case: KindDetection;
}

const compiled = new Map<Lexicon, { re: RegExp; word: string; weight: number }[]>();

function patterns(lex: Lexicon) {
  let list = compiled.get(lex);
  if (!list) {
    const make = (word: string, weight: number) => {
      const esc = word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/[ -]/g, "[\\s-]?");
      const open = word.endsWith("quer") ? "" : "(?:s|es|ies|ed|ing|ers?)?";
      return { re: new RegExp(`(?<![a-z0-9])${esc}${open}(?![a-z0-9])`, "g"), word, weight };
    };
    list = [...lex.strong.map((w) => make(w, 2)), ...lex.weak.map((w) => make(w, 1))];
    compiled.set(lex, list);
  }
  return list;
}

function detectOne(
  text: string,
  lexicons: Record<string, Lexicon>,
  threshold: number,
): KindDetection {
  const lower = text.toLowerCase();
  const scored = Object.entries(lexicons).map(([name, lex]) => {
    let score = 0;
    const matched: { word: string; at: number }[] = [];
    for (const p of patterns(lex)) {
      p.re.lastIndex = 0;
      const m = p.re.exec(lower);
      if (!m) continue;
      score += p.weight;
      matched.push({ word: m[0], at: m.index });
    }
    matched.sort((a, b) => a.at - b.at);
    return { name, score, matched: [...new Set(matched.map((m) => m.word))] };
  }).sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const [first, second] = scored;
  const s1 = first.score;
  const s2 = second?.score ?? 0;
  const confidence = s1 === 0 ? 0 : round((s1 / (s1 + s2)) * Math.min(1, s1 / 2));
  return {
    value: confidence >= threshold ? first.name : "unknown",
    confidence,
    matched: s1 === 0 ? [] : first.matched,
    candidates: scored.filter((c) => c.score > 0).slice(0, 3).map(({ name, score }) => ({
      name,
      score,
    })),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Detects the industry of a project from its description (one of {@link INDUSTRIES}, or
 * `unknown` when the confidence is below `threshold`).
 *
 * @example
 * ```ts
 * import { detectIndustry } from "./detect.ts";
 * detectIndustry("A portal where patients book visits with their doctor").value; // "healthcare"
 * ```
 */
export function detectIndustry(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): KindDetection {
  return detectOne(description, INDUSTRY_WORDS, threshold);
}

/** Detects the use case of a project (one of {@link USE_CASES}, or `unknown`). */
export function detectUseCase(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): KindDetection {
  return detectOne(description, USE_CASE_WORDS, threshold);
}

/** Detects both industry and use case. */
export function detectProjectKind(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): ProjectDetection {
  return {
    industry: detectIndustry(description, threshold),
    use_case: detectUseCase(description, threshold),
  };
}

/** True when `name` is a known industry. */
export function isIndustry(name: string): name is Industry {
  return (INDUSTRIES as readonly string[]).includes(name);
}

/** True when `name` is a known use case. */
export function isUseCase(name: string): name is UseCase {
  return (USE_CASES as readonly string[]).includes(name);
}
