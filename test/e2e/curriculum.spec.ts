import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { parse as parseYaml } from "yaml";
import { widgets } from "../../app/components/mdx/widgets/index";
import {
  expect,
  expectNoSeriousA11yViolations,
  loggedInPage,
  saveScreenshot,
  test,
  type Session,
} from "./helpers";

// Issue 6: every lesson of every course in courses/ renders, with its quiz, acknowledgement and
// working widgets. The lessons are read from the folder, so a new lesson is tested automatically.
const COURSES_DIR = "courses";
// The admin: already part-way through the curriculum, and not the learner other specs start from.
const LEARNER = "sam.patel@harbour.example";
const WIDGET_NAMES = Object.keys(widgets);

interface Lesson {
  file: string;
  id: string;
  title: string;
  source: string;
}

interface Course {
  slug: string;
  title: string;
  lessons: Lesson[];
}

function frontmatter(file: string, source: string): Record<string, unknown> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(source);
  if (!match?.[1]) throw new Error(`${file}: no frontmatter`);
  return parseYaml(match[1]) as Record<string, unknown>;
}

function readCourses(): Course[] {
  return readdirSync(COURSES_DIR)
    .filter((name) => !/^[._]/.test(name) && statSync(join(COURSES_DIR, name)).isDirectory())
    .sort()
    .map((slug) => {
      const dir = join(COURSES_DIR, slug);
      const courseFile = join(dir, "course.mdx");
      const lessons = readdirSync(dir)
        .filter((name) => /^\d+-.+\.mdx$/.test(name))
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
        .map((name) => {
          const file = join(dir, name);
          const source = readFileSync(file, "utf8");
          const meta = frontmatter(file, source);
          return { file, id: String(meta.id), title: String(meta.title), source };
        });
      const title = String(frontmatter(courseFile, readFileSync(courseFile, "utf8")).title);
      return { slug, title, lessons };
    });
}

const count = (source: string, tag: string) =>
  source.match(new RegExp(`<${tag}(?![\\w])`, "g"))?.length ?? 0;

/** Text a sighted user can see: text nodes whose element has a real size and is visible. */
function visibleText(widget: Locator): Promise<string> {
  return widget.evaluate((root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const parts: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent?.trim()) continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1 || !el.checkVisibility({ visibilityProperty: true }))
        continue;
      parts.push(node.textContent.trim());
    }
    return parts.join(" ");
  });
}

/** Waits until React has hydrated the element (its props are attached to the DOM node). */
async function hydrated(element: Locator): Promise<void> {
  await expect
    .poll(() => element.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps"))))
    .toBe(true);
}

/** Each widget's first button changes what the widget shows: by mouse, then Enter, then Space. */
async function exerciseWidgets(page: Page): Promise<void> {
  const count = await page.locator("[data-widget]").count();
  for (let i = 0; i < count; i++) {
    for (const how of ["click", "Enter", "Space"] as const) {
      if (how !== "click") await page.reload();
      const widget = page.locator("[data-widget]").nth(i);
      const name = await widget.getAttribute("data-widget");
      const button = widget.locator("button").first();
      await expect(button, `${name}: first button`).toBeEnabled();
      await hydrated(button);
      const before = await visibleText(widget);
      if (how === "click") {
        await button.click();
      } else {
        await button.focus();
        await expect(button).toBeFocused();
        await page.keyboard.press(how);
      }
      await expect
        .poll(() => visibleText(widget), { message: `${name}: ${how} on its first button` })
        .not.toBe(before);
    }
  }
}

const courses = readCourses();

// One logged-in page for the whole file (lessons are independent reads); errors checked per test.
const it = test.extend<object, { learner: Session }>({
  learner: [
    async ({ browser }, provide) => {
      const session = await loggedInPage(browser, LEARNER);
      await provide(session);
      await session.context.close();
    },
    { scope: "worker" },
  ],
});

it.afterEach(({ learner }) => {
  learner.errors.expectNone();
});

it("the courses folder has courses with lessons", () => {
  expect(courses.length).toBeGreaterThan(1);
  for (const course of courses) expect(course.lessons.length, course.slug).toBeGreaterThan(0);
});

for (const course of courses) {
  it.describe(course.slug, () => {
    it("course page lists its lessons in order", async ({ learner: { page } }) => {
      const response = await page.goto(`/courses/${course.slug}`);
      expect(response?.status()).toBe(200);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(course.title);
      await expect(page.locator(".lesson-list li a")).toHaveText(
        course.lessons.map((l) => l.title),
      );
      await expectNoSeriousA11yViolations(page);
    });

    course.lessons.forEach((lesson, index) => {
      const quizzes = count(lesson.source, "Quiz");
      const acknowledgements = count(lesson.source, "Acknowledge");
      const widgetNames = WIDGET_NAMES.flatMap((name) =>
        Array<string>(count(lesson.source, name)).fill(name),
      );
      // axe on the first lesson of each course and on every lesson with an acknowledgement or a
      // widget: between them they cover every kind of block a lesson can contain.
      const scan = index === 0 || acknowledgements > 0 || widgetNames.length > 0;

      it(`${lesson.id} (${lesson.file})`, async ({ learner: { page } }) => {
        const response = await page.goto(`/courses/${course.slug}/${lesson.id}`);
        expect(response?.status()).toBe(200);
        const title = page.getByRole("heading", { level: 1 });
        await expect(title).toHaveText(lesson.title);
        await expect(title).toBeVisible();
        await expect(page.locator("section.quiz")).toHaveCount(quizzes);
        await expect(page.locator("section.quiz form button[type=submit]")).toHaveCount(quizzes);
        // Each acknowledgement shows its form, or (once confirmed) the date it was confirmed.
        await expect(page.locator("section.acknowledge")).toHaveCount(acknowledgements);
        await expect(
          page
            .locator("section.acknowledge")
            .filter({ has: page.locator("form, .acknowledge__done") }),
        ).toHaveCount(acknowledgements);
        const rendered = await page
          .locator("[data-widget]")
          .evaluateAll((els) => els.map((el) => el.getAttribute("data-widget") ?? ""));
        expect(rendered.sort()).toEqual([...widgetNames].sort());
        await expect(page.locator(".widget--problem")).toHaveCount(0);
        if (scan) await expectNoSeriousA11yViolations(page);
        await exerciseWidgets(page);
      });
    });
  });
}

it("screenshots of lessons with a quiz, at desktop and phone width", async ({
  learner: { page },
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/courses/e-commerce-is-business/costs-and-benefits");
  await saveScreenshot(page, "lesson-quiz-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/courses/running-the-online-channel/customer-centred-website");
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, "horizontal scroll at 390 px").toBeLessThanOrEqual(390);
  await saveScreenshot(page, "lesson-quiz-390");
});
