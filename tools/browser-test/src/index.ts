export {
  CHROMIUM_PATH,
  type ChromiumStatus,
  ensureChromium,
  launchChromium,
} from "./chromium.js";
export { type PageRun, runInPage } from "./run-in-page.js";
export type { TestResult } from "./vitest-shim.js";
