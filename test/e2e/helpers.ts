import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type Page,
} from "@playwright/test";
import { parse } from "csv-parse/sync";

/** The password every demo login shares (app/services/demo.server.ts). */
export const DEMO_PASSWORD = "knitwear-demo-2026";

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

/** Logs in through the real login form and waits for the home page. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

/** A logged-in browser context with its page and the errors seen on it. */
export interface Session {
  context: BrowserContext;
  page: Page;
  errors: BrowserErrors;
}

/** A fresh browser context logged in as `email`, with console and page errors watched. */
export async function loggedInPage(browser: Browser, email: string): Promise<Session> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchBrowserErrors(page);
  await login(page, email);
  return { context, page, errors };
}

/** Clicks the download link named `link` and parses the CSV it downloads (one object a row). */
export async function downloadCsv(page: Page, link: string): Promise<Record<string, string>[]> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: link }).click(),
  ]);
  return parse(readFileSync((await download.path())!, "utf8"), { columns: true });
}

/** Saves a full-page screenshot for people to review: test-results/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** Runs axe (WCAG 2.0/2.1 A and AA) on the page and fails on any serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const blocking = results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ""));
  const report = blocking.map((v) => {
    const targets = v.nodes.map((n) => `    ${n.target.join(" ")}`).join("\n");
    return `  ${v.id} (${v.impact}): ${v.help}\n${targets}`;
  });
  expect(
    blocking.length,
    `axe found serious or critical violations on ${page.url()}:\n${report.join("\n")}`,
  ).toBe(0);
}

export interface BrowserErrors {
  /** Console errors and uncaught page errors seen so far, one line each. */
  readonly messages: string[];
  /** Fails the test if any were seen since the last check (each check starts afresh). */
  expectNone(): void;
}

/**
 * Chromium logs every 4xx answer as "Failed to load resource". Staffroom answers form errors with
 * 400 and unknown things with 404 on purpose, and the tests check those statuses themselves; a
 * 5xx, or any script error, still fails the test.
 */
const EXPECTED_CLIENT_ERROR =
  /^Failed to load resource: the server responded with a status of 4\d\d/;

/** Collects `console.error` output and uncaught exceptions from a page. */
export function watchBrowserErrors(page: Page): BrowserErrors {
  const messages: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !EXPECTED_CLIENT_ERROR.test(message.text())) {
      const { url, lineNumber } = message.location();
      messages.push(`console.error at ${url}:${lineNumber}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => messages.push(`page error: ${error.stack ?? error.message}`));
  return {
    messages,
    expectNone() {
      const seen = messages.splice(0);
      expect(seen, `browser errors on ${page.url()}:\n${seen.join("\n")}`).toEqual([]);
    },
  };
}

/**
 * Playwright's `test`, whose built-in `page` fails the test on any browser console error or
 * uncaught page error. Pages made by hand (`loggedInPage`) call `errors.expectNone()` themselves.
 */
export const test = base.extend({
  page: async ({ page }, provide) => {
    const errors = watchBrowserErrors(page);
    await provide(page);
    errors.expectNone();
  },
});

export { expect };
