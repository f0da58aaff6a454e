import type { Page } from "@playwright/test";
import { downloadCsv, expect, expectNoSeriousA11yViolations, login, test } from "./helpers";

// Issue 3: a manager with two levels of reports checks their team, narrows it, opens a person,
// downloads the filtered list, and cannot reach another team. Self-contained.
const MANAGER = "priya.shah@harbour.example";
const OTHER_MANAGER = "tom.becker@harbour.example";
const DESKTOP = { width: 1280, height: 900 };

const rows = (page: Page) => page.getByTestId("team-table").locator("tbody tr");

test("a manager reviews their team, filters it, drills into a person and downloads the list", async ({
  page,
}) => {
  await page.setViewportSize(DESKTOP);
  await login(page, MANAGER);

  await test.step("the team page: figures and every report × course", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "My team" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "My team" })).toBeVisible();
    await expect(page.locator(".lede")).toContainText("people report to you");
    await expect(rows(page).first()).toBeVisible();
    // Most urgent first: an overdue row, if any, comes before everything else.
    const statuses = await rows(page).locator("td:nth-child(5)").allInnerTexts();
    const firstDone = statuses.findIndex((s) => /Completed|Waived/.test(s));
    if (firstDone >= 0) {
      expect(statuses.slice(firstDone).every((s) => /Completed|Waived/.test(s))).toBe(true);
    }
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "test-results/team.png", fullPage: true });
    await page.screenshot({ path: "test-results/team-top.png" });
  });

  let person = "";
  await test.step("filter by status and course", async () => {
    await page.getByRole("combobox", { name: "Status" }).selectOption("overdue");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/status=overdue/);
    // Retried until the filtered list has replaced the unfiltered one.
    await expect(async () => {
      const statuses = await rows(page).locator("td:nth-child(5)").allInnerTexts();
      expect(statuses.length).toBeGreaterThan(0);
      expect(new Set(statuses)).toEqual(new Set(["Overdue"]));
    }).toPass();

    const course = await rows(page).first().locator("td:nth-child(4)").innerText();
    await page.getByRole("combobox", { name: "Course" }).selectOption({ label: course });
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/course=[a-z]/);
    await expect(async () => {
      const courses = await rows(page).locator("td:nth-child(4)").allInnerTexts();
      expect(new Set(courses)).toEqual(new Set([course]));
    }).toPass();
    person = await rows(page).first().locator("th a").innerText();
  });

  await test.step("the filtered CSV holds exactly the rows on the page", async () => {
    const shown = await rows(page).locator("th .muted").allInnerTexts();
    const csv = await downloadCsv(page, "Download this list (CSV)");
    expect(csv.map((r) => r.email).sort()).toEqual([...shown].sort());
    expect(new Set(csv.map((r) => r.status))).toEqual(new Set(["overdue"]));
    expect(csv.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.due_date!))).toBe(true);
  });

  await test.step("a person's page across all their courses", async () => {
    await rows(page).first().locator("th a").click();
    await expect(page.getByRole("heading", { level: 1, name: person })).toBeVisible();
    const courses = page.getByTestId("person-courses").locator("tbody tr");
    expect(await courses.count()).toBeGreaterThanOrEqual(7);
    await expect(page.getByRole("button", { name: "Waive" })).toHaveCount(0);
    await expectNoSeriousA11yViolations(page);
  });

  await test.step("another manager's team is out of reach", async () => {
    const res = await page.goto(`/team?manager=${OTHER_MANAGER}`);
    expect(res?.status()).toBe(403);
    await expect(
      page.getByRole("heading", { name: "You do not have access to this page" }),
    ).toBeVisible();
    const csv = await page.request.get(`/team.csv?manager=${OTHER_MANAGER}`);
    expect(csv.status()).toBe(403);
    expect((await page.request.get("/reports/not-finished.csv")).status()).toBe(403);
  });
});
