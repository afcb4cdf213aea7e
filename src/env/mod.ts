/**
 * Self-service environment checks: the variables and services a project needs
 * (`br env detect`), its `.env.example` (`br env template`) and its `.env` (`br env check`).
 * Values are never returned: names and masked shapes only.
 *
 * @module
 */
export {
  detectEnv,
  type EnvDetection,
  type EnvService,
  type EnvSource,
  type EnvVariable,
} from "./detect.ts";
export {
  checkEnv,
  type EnvCheck,
  type EnvProblem,
  type EnvProblemKind,
  maskedShape,
  type TemplateResult,
  writeEnvTemplate,
} from "./check.ts";
export { dotenvValues, maskValues, parseDotenv } from "./dotenv.ts";
