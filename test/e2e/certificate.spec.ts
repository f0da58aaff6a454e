import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, login, test, watchBrowserErrors } from "./helpers";

// Issue 5: fail a quiz, see what to revisit, pass it and read the explanations, finish the course, get the certificate, print
// it, and verify its code as an anonymous visitor. Self-contained.
const COURSE = "everyone-learns";
const COURSE_TITLE = "Everyone learns";
// The demo learner with nothing done (see app/services/demo.server.ts), whom no other spec uses.
const LEARNER = { email: "alex.adams@harbour.example", name: "Alex Adams" };

interface QuizKey {
  /** Per question, in order: which choices (by position) are correct. */
  questions: boolean[][];
}

/** The answer key of each lesson, read from the course source (the browser never gets it). */
function answerKeys(): Map<string, QuizKey> {
  const dir = join("courses", COURSE);
  const keys = new Map<string, QuizKey>();
  for (const file of readdirSync(dir).filter((f) => /^\d+-.*\.mdx$/.test(f))) {
    const source = readFileSync(join(dir, file), "utf8");
    const id = /^id:\s*(\S+)/m.exec(source)![1]!;
    const questions = [...source.matchAll(/<Question\b[\s\S]*?<\/Question>/g)].map((q) =>
      [...q[0].matchAll(/<Choice(\s+correct)?\s*>/g)].map((c) => Boolean(c[1])),
    );
    keys.set(id, { questions });
  }
  return keys;
}

async function answer(page: Page, key: QuizKey, correctly: boolean) {
  for (const [qi, choices] of key.questions.entries()) {
    const picks = correctly
      ? choices.flatMap((right, ci) => (right ? [ci] : []))
      : [choices.findIndex((right) => !right)];
    // The form keeps the previous answers: set every choice, not just the picks.
    for (const ci of choices.keys()) {
      const input = page.locator(`#quiz-1-q${qi + 1}-${String.fromCharCode(97 + ci)}`);
      if (picks.includes(ci)) await input.check();
      else if ((await input.getAttribute("type")) === "checkbox") await input.uncheck();
    }
  }
  await page.getByRole("button", { name: /Submit/ }).click();
}

test("fail a quiz, learn from it, pass, get a certificate and verify it anonymously", async ({
  page,
  browser,
}) => {
  const keys = answerKeys();
  await login(page, LEARNER.email);

  let failedOnce = false;
  for (let step = 0; step < keys.size; step++) {
    await page.goto(`/courses/${COURSE}`);
    const cont = page.getByRole("link", { name: /^(Start the course|Continue)$/ });
    if ((await cont.count()) === 0) break;
    await cont.click();
    await page.waitForURL(new RegExp(`/courses/${COURSE}/[a-z0-9-]+$`));
    const slug = new URL(page.url()).pathname.split("/").pop()!;
    const key = keys.get(slug);
    expect(key, `a quiz key for ${slug}`).toBeDefined();
    const quiz = page.getByRole("region", { name: "Check your understanding" });
    await expect(quiz).toBeVisible();

    if (!failedOnce) {
      failedOnce = true;
      // No feedback and no explanation before a submission.
      await expect(quiz.locator(".quiz-feedback")).toHaveCount(0);
      await answer(page, key!, false);
      const result = quiz.getByRole("status").first();
      await expect(result).toContainText("You scored 0%");
      await expect(result).toContainText("to pass");
      // Which questions to revisit, but neither the right choices nor the explanations.
      await expect(quiz.getByText(/Go back over the questions marked below/)).toBeVisible();
      await expect(quiz.locator(".quiz-question--incorrect")).toHaveCount(key!.questions.length);
      await expect(quiz.locator(".quiz-feedback__explanation")).toHaveCount(0);
      await expect(page.getByText("Pass the quiz above to complete this lesson.")).toBeVisible();
      await page.screenshot({ path: "test-results/certificate-quiz-feedback.png", fullPage: true });
    }
    await answer(page, key!, true);
    await expect(quiz.getByRole("status").first()).toContainText("You scored 100%. You passed.");
    // The pass brings the explanations.
    await expect(quiz.locator(".quiz-feedback__explanation")).toHaveCount(key!.questions.length);
    await expect(page.getByText(/You completed this lesson on/)).toBeVisible();
  }
  expect(failedOnce, "the learner had a quiz left to take").toBe(true);

  // The course page links to the certificate.
  await page.goto(`/courses/${COURSE}`);
  await page.getByRole("link", { name: "View your certificate" }).click();
  await expect(page).toHaveURL(/\/certificates\/[a-z2-7]{24}$/);
  const sheet = page.getByRole("article", { name: "Certificate of completion" });
  await expect(sheet).toContainText(LEARNER.name);
  await expect(sheet).toContainText(COURSE_TITLE);
  await expect(sheet).toContainText("Course version");
  const code = (await page.getByTestId("certificate-code").textContent())!.trim();
  expect(code).toMatch(/^([a-z2-7]{4}-){5}[a-z2-7]{4}$/);
  const verifyUrl = (await sheet.getByRole("link", { name: /\/verify\// }).getAttribute("href"))!;

  // The print layout: A4 and Letter, landscape, one sheet each, no site chrome.
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 1123, height: 794 });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.locator(".certificate-actions")).toBeHidden();
  await page.screenshot({ path: "test-results/certificate-print-a4.png" });
  const pdfPages = (pdf: Buffer) => pdf.toString("latin1").match(/\/Type\s*\/Page\b/g)?.length;
  const a4 = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync("test-results/certificate-a4.pdf", a4);
  expect(pdfPages(a4)).toBe(1);
  await page.emulateMedia({ media: "screen" });
  await page.getByRole("link", { name: "Letter" }).click();
  await expect(page).toHaveURL(/paper=letter/);
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 1056, height: 816 });
  await page.screenshot({ path: "test-results/certificate-print-letter.png" });
  const letter = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync("test-results/certificate-letter.pdf", letter);
  expect(pdfPages(letter)).toBe(1);

  // An anonymous visitor verifies the code.
  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();
  const visitorErrors = watchBrowserErrors(visitor);
  await visitor.goto(new URL(verifyUrl).pathname);
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("Valid certificate");
  await expect(visitor.getByTestId("verify-name")).toHaveText(LEARNER.name);
  await expect(visitor.getByTestId("verify-course")).toHaveText(COURSE_TITLE);
  await expect(visitor.getByText(LEARNER.email)).toHaveCount(0);
  // The certificate page itself is not public.
  await visitor.goto(new URL(page.url()).pathname);
  await expect(visitor).toHaveURL(/\/login\?redirectTo=/);
  await visitor.goto(`/verify/${"a".repeat(24)}`);
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveText("Not a valid certificate");
  visitorErrors.expectNone();
  await anonymous.close();
});
