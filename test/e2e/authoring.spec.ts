import type { Locator, Page } from "@playwright/test";
import {
  expect,
  expectNoSeriousA11yViolations,
  loggedInPage,
  saveScreenshot,
  test,
} from "./helpers";

// Issue 12: an admin edits a lesson in the browser, sees the preview follow, gets an inline
// error at the right line for a misspelt component, fixes it, reads how many people the change
// sends back to retake, publishes; one of them then sees the change and is asked to retake.
// The server serves a copy of courses/ (playwright.config.ts), so the repository is untouched.
const ADMIN = "sam.patel@harbour.example";
const COURSE = { slug: "protecting-customer-data", title: "Protecting customer data and payments" };
const LESSON = { slug: "spotting-phishing", title: "Spotting phishing" };

/** The source the form would post (the textarea follows CodeMirror). */
const source = (page: Page) => page.locator("textarea[name=source]").inputValue();

async function lineOf(page: Page, text: string): Promise<number> {
  return (await source(page)).split("\n").findIndex((line) => line.includes(text)) + 1;
}

test("an admin edits, previews, fixes an error, reads the impact and publishes; a learner is asked to retake", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const admin = await loggedInPage(browser, ADMIN);
  const { page } = admin;
  await page.setViewportSize({ width: 1280, height: 900 });

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Courses" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Courses" })).toBeVisible();
  await expect(page.getByTestId("courses-table")).toContainText(COURSE.title);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, "authoring-courses-1280");

  await page.getByRole("link", { name: COURSE.title }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(COURSE.title);
  await expectNoSeriousA11yViolations(page);
  await page
    .getByRole("row", { name: new RegExp(LESSON.title) })
    .getByRole("link", { name: "Edit" })
    .click();

  // Keyboard alone: Tab into the editor, type, Escape then Tab out to the next control.
  const editor: Locator = page.getByRole("textbox", { name: "Lesson source" });
  await expect(editor).toBeVisible();
  await expect(page.locator(".cm-editor")).toBeVisible();
  await page
    .getByRole("navigation", { name: "Breadcrumb" })
    .getByRole("link", { name: LESSON.title })
    .focus();
  await page.keyboard.press("Tab");
  await expect(editor).toBeFocused();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await page.keyboard.type("Typed from the keyboard: check the sender before you click.");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Save draft" })).toBeFocused();

  // The preview follows, rendered by the server.
  const preview = page.locator(".editor__rendered");
  await expect(preview).toContainText(
    "Typed from the keyboard: check the sender before you click.",
  );

  // A misspelt component: an inline error at its line, in the list and in the editor.
  await editor.focus();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(
    '\n\n<Calout type="tip">Look at the address, not the name.</Calout>\n',
  );
  const line = await lineOf(page, "<Calout");
  const problem = page.getByRole("button", { name: `Line ${line}, column 1: go there` });
  await expect(problem).toBeVisible();
  await expect(page.locator(".editor__problems")).toContainText("unknown element `<Calout>`");
  await expect(page.locator(".cm-lintRange-error").first()).toHaveText("<Calout");
  await expectNoSeriousA11yViolations(page);
  await problem.scrollIntoViewIfNeeded();
  await saveScreenshot(page, "authoring-editor-error-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, "horizontal scroll at 390 px").toBeLessThanOrEqual(390);
  await saveScreenshot(page, "authoring-editor-error-390");
  await page.setViewportSize({ width: 1280, height: 900 });

  // Fix it: the error's button puts the cursor on the line; retype the line.
  await problem.click();
  await page.keyboard.press("Shift+End");
  await page.keyboard.insertText(
    '<Callout type="tip">Look at the address, not the name.</Callout>',
  );
  await expect(page.locator(".editor__ok")).toHaveText("No problems found.");
  await expect(preview.locator(".callout--tip").last()).toContainText(
    "Look at the address, not the name.",
  );

  // Ask everyone who completed it to take it again (`retake: required`, in the frontmatter).
  await editor.focus();
  await page.keyboard.press("Control+Home");
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Home");
  await page.keyboard.insertText("retake: required\n");
  await expect(page.locator(".editor__ok")).toHaveText("No problems found.");

  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByText("Draft saved.")).toBeVisible();
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Publish: ${LESSON.title}`);
  const impact = page.getByTestId("impact-retake");
  await expect(impact).toContainText(/\d+ people will be asked to retake this lesson/);
  const retakers = Number(/(\d+) people/.exec((await impact.textContent()) ?? "")![1]);
  expect(retakers).toBeGreaterThan(1);
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, "authoring-impact-1280");

  await page.getByRole("link", { name: "Show who" }).click();
  const people = page.getByRole("region", { name: "People who will be asked to retake" });
  await expect(people.getByRole("row")).toHaveCount(retakers + 1);
  const emails = await people.locator("tbody th .block").allTextContents();
  const learnerEmail = emails.find((e) => e !== ADMIN)!;

  await page.getByRole("button", { name: "Publish now" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Published as version 2." }),
  ).toContainText(`${retakers} people were asked to retake it.`);
  await expect(page.getByRole("heading", { name: "Question statistics" })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await saveScreenshot(page, "authoring-question-statistics-1280");

  // The history: both versions, who published them, and what changed.
  await page.getByRole("link", { name: "History" }).click();
  const versions = page.getByTestId("versions-table");
  await expect(versions.getByRole("row")).toHaveCount(3);
  await expect(versions).toContainText("Sam Patel");
  await expect(
    page.getByRole("region", { name: /Version 1 compared with version 2/ }),
  ).toContainText("retake: required");
  await expectNoSeriousA11yViolations(page);
  await page.goto(`/admin/course-images/${COURSE.slug}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Images");
  await expectNoSeriousA11yViolations(page);
  admin.errors.expectNone();
  await admin.context.close();

  // One of them sees the new version and is asked to retake.
  const learner = await loggedInPage(browser, learnerEmail);
  await learner.page.goto(`/courses/${COURSE.slug}/${LESSON.slug}`);
  await expect(learner.page.getByRole("heading", { level: 1 })).toHaveText(LESSON.title);
  await expect(
    learner.page.getByText("Typed from the keyboard: check the sender before you click."),
  ).toBeVisible();
  await expect(learner.page.getByText("Look at the address, not the name.")).toBeVisible();
  await expect(learner.page.getByText(/Updated since you completed it/)).toContainText(
    "retake the quiz",
  );
  learner.errors.expectNone();
  await learner.context.close();
});
