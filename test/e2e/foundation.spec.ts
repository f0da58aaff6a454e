import type { Browser, Page } from "@playwright/test";
import {
  expect,
  expectNoSeriousA11yViolations,
  loggedInPage,
  login,
  saveScreenshot,
  test,
} from "./helpers";

// Issue 2: a learner finishes the welcome course and drops off the leader's not-finished list.
const LEARNER = "jamie.fox@harbour.example";
const LEARNER_NAME = "Jamie Fox";
const LEADER = "margaret.okafor@harbour.example";
const COURSE = "welcome";
const COURSE_TITLE = "Welcome to Staffroom";
const PHONE = { width: 390, height: 844 };

/**
 * The leader's not-finished list for the welcome course, checked in a fresh browser context. The
 * first visit scans every page on the way; `after` scans only the list (the rest is unchanged) and
 * saves a screenshot of it.
 */
async function leaderSeesLearner(browser: Browser, after = false): Promise<boolean> {
  const { context, page, errors } = await loggedInPage(browser, LEADER);
  if (!after) await expectNoSeriousA11yViolations(page);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Reports" })
    .click();
  await expect(page).toHaveURL("/reports");
  if (!after) await expectNoSeriousA11yViolations(page);
  await page.getByRole("combobox", { name: "Course" }).selectOption({ label: COURSE_TITLE });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]course=${COURSE}(&|$)`));
  await expectNoSeriousA11yViolations(page);
  const rows = page.getByTestId("not-finished").locator("tbody tr");
  // Only the filtered course is listed, and all of it fits on one page.
  await expect(rows.first()).toContainText(COURSE_TITLE);
  await expect(rows.filter({ hasNotText: COURSE_TITLE })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Next page" })).toHaveCount(0);
  const seen = (await rows.filter({ hasText: LEARNER_NAME }).count()) > 0;
  if (after) await saveScreenshot(page, "leader-report");
  errors.expectNone();
  await context.close();
  return seen;
}

function welcomeCard(page: Page) {
  return page.locator(".card").filter({ has: page.getByRole("link", { name: COURSE_TITLE }) });
}

/** At phone width the page does not scroll sideways, and Tab reaches the Mark complete button. */
async function checkPhoneAndKeyboard(page: Page) {
  await page.setViewportSize(PHONE);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, "horizontal scroll at 390 px").toBeLessThanOrEqual(PHONE.width);
  await expectNoSeriousA11yViolations(page);

  const button = page.getByRole("button", { name: /^Mark complete/ });
  const isFocused = () => button.evaluate((el) => el === document.activeElement);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  let presses = 0;
  while (!(await isFocused())) {
    expect(presses, "Tab never reached the Mark complete button").toBeLessThan(80);
    await page.keyboard.press("Tab");
    presses++;
  }
  await expect(button).toBeFocused();
  // The focus ring is visible (the page's :focus-visible outline), so keyboard users can see it.
  const outline = await button.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
}

test("a learner completes the welcome course and leaves the leader's not-finished list", async ({
  page,
  browser,
}) => {
  await test.step("before: the leader sees the learner on the welcome course's list", async () => {
    expect(await leaderSeesLearner(browser)).toBe(true);
  });

  await test.step("the learner logs in and sees the home page", async () => {
    await page.goto("/login");
    await expectNoSeriousA11yViolations(page);
    await login(page, LEARNER);
    await expect(page.getByRole("heading", { level: 1, name: "Hello, Jamie" })).toBeVisible();
    // The welcome course is due a week after it is assigned; Jamie has not opened it since.
    await expect(welcomeCard(page).locator(".badge")).toHaveText("Overdue");
    await expect(welcomeCard(page)).toContainText("0 of 2 lessons");
    await expectNoSeriousA11yViolations(page);
  });

  await test.step("the course page", async () => {
    await page.getByRole("link", { name: COURSE_TITLE }).click();
    await expect(page).toHaveURL(`/courses/${COURSE}`);
    await expect(page.getByRole("heading", { level: 1, name: COURSE_TITLE })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });

  await test.step("the first lesson: phone width, keyboard, Mark complete", async () => {
    await page.getByRole("link", { name: "Start the course" }).click();
    await expect(page).toHaveURL(`/courses/${COURSE}/how-it-works`);
    await expect(
      page.getByRole("heading", { level: 1, name: "How your training works" }),
    ).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await checkPhoneAndKeyboard(page);
    // Complete it from the keyboard: the focused button is "Mark complete and continue".
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`/courses/${COURSE}/why-everyone`);
  });

  await test.step("the second lesson", async () => {
    await expect(
      page.getByRole("heading", { level: 1, name: "Why everyone takes this training" }),
    ).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await page.getByRole("button", { name: "Mark complete" }).click();
    await expect(page).toHaveURL(`/courses/${COURSE}`);
  });

  await test.step("the learner sees their progress", async () => {
    await expect(page.locator(".progress__text")).toHaveText("2 of 2 lessons");
    await expect(page.getByRole("link", { name: "Start the course" })).toHaveCount(0);
    await expectNoSeriousA11yViolations(page);
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "My training" })
      .click();
    await expect(page).toHaveURL("/");
    await expect(welcomeCard(page).locator(".badge")).toHaveText(/^Completed/);
    await expect(welcomeCard(page)).toContainText("2 of 2 lessons");
    await expectNoSeriousA11yViolations(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await saveScreenshot(page, "learner-home");
  });

  await test.step("after: the leader no longer sees the learner on that list", async () => {
    expect(await leaderSeesLearner(browser, true)).toBe(false);
  });
});
