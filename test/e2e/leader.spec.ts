import Database from "better-sqlite3";
import { downloadCsv, expect, expectNoSeriousA11yViolations, login, test } from "./helpers";

// Issue 3: leadership reads the headline figures and charts, narrows the not-finished list,
// downloads it and the full matrix, and drills into one person. Self-contained.
const LEADER = "margaret.okafor@harbour.example";
const DESKTOP = { width: 1280, height: 900 };

test("a leader reads the figures, filters the not-finished list and downloads it", async ({
  page,
}) => {
  await page.setViewportSize(DESKTOP);
  await login(page, LEADER);
  const list = page.getByTestId("not-finished").locator("tbody tr");

  await test.step("headline figures and charts, readable as text", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Reports" })
      .click();
    await expect(
      page.getByRole("heading", { level: 1, name: "Who has not finished" }),
    ).toBeVisible();
    await expect(page.getByTestId("figure-on-time")).toContainText(
      /\d+%\s*completed by the due date/,
    );
    await expect(page.getByTestId("figure-completion")).toContainText("completed overall");
    await expect(page.getByTestId("figure-overdue")).toContainText(/\d+\s*overdue/);
    const byDepartment = page.getByRole("img", { name: /Completed, by department/ });
    await expect(byDepartment).toBeVisible();
    // Every bar carries its value as text: "Operations … 40% (12 of 30)".
    await expect(byDepartment).toContainText(/Operations/);
    await expect(byDepartment).toContainText(/\d+% \(\d+ of \d+\)/);
    await expect(page.getByRole("img", { name: /Completed, by course/ })).toContainText(
      "Welcome to Staffroom",
    );
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "test-results/leadership.png", fullPage: true });
    await page.screenshot({ path: "test-results/leadership-top.png" });
  });

  let total = 0;
  await test.step("filter by course, department and status", async () => {
    await page
      .getByRole("combobox", { name: "Course" })
      .selectOption({ label: "Welcome to Staffroom" });
    await page.getByRole("combobox", { name: "Department" }).selectOption("Operations");
    await page.getByRole("combobox", { name: "Status" }).selectOption("overdue");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/course=welcome&department=Operations.*status=overdue/);
    // Retried until the filtered list has replaced the unfiltered one.
    await expect(async () => {
      const cells = await list.evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent?.trim())),
      );
      expect(cells.length).toBeGreaterThan(0);
      for (const row of cells) {
        expect([row[0], row[2], row[3]]).toEqual(["Operations", "Welcome to Staffroom", "Overdue"]);
      }
    }).toPass();
    total = Number(/of (\d+)/.exec(await page.locator(".pager [role=status]").innerText())![1]);
    expect(total).toBe(await list.count());
  });

  await test.step("the CSV download has exactly the filtered rows", async () => {
    const shown = await list.locator("th .muted").allInnerTexts();
    const rows = await downloadCsv(page, "Download this list (CSV)");
    expect(rows).toHaveLength(total);
    expect(rows.map((r) => r.email).sort()).toEqual([...shown].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ course: "welcome", department: "Operations", status: "overdue" });
      expect(row.due_date! < new Date().toISOString().slice(0, 10)).toBe(true);
    }
  });

  await test.step("the full matrix: everyone × every course assigned to them", async () => {
    const rows = await downloadCsv(page, "Download everyone × every course (CSV)");
    const people = new Set(rows.map((r) => r.email));
    expect(people.size).toBe(40);
    // Every current assignment of an active person, read from the server's own database.
    const database = new Database(process.env.E2E_DATABASE_PATH ?? "test-results/e2e.db", {
      readonly: true,
    });
    const assigned = database
      .prepare(
        "select count(*) n from assignments where user_active = 1 and removed_at is null and is_current = 1",
      )
      .pluck()
      .get();
    database.close();
    expect(rows.length).toBe(assigned);
    // The role paths: everyone has the core courses, only managers and leaders the leaders' one.
    const coursesOf = (email: string) => rows.filter((r) => r.email === email).map((r) => r.course);
    expect(coursesOf("jamie.fox@harbour.example")).not.toContain("leading-the-online-business");
    expect(coursesOf("priya.shah@harbour.example")).toContain("leading-the-online-business");
    expect(rows.some((r) => r.status === "completed_late")).toBe(true);
    expect(rows.some((r) => r.status === "completed_on_time")).toBe(true);
    expect(
      rows.filter((r) => r.completed_date).every((r) => r.status!.startsWith("completed")),
    ).toBe(true);
  });

  await test.step("per-person drill-down, earlier cycles kept", async () => {
    await page.goto("/reports?manager=lena.novak%40harbour.example");
    await page.getByRole("link", { name: "Sam Patel" }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: "Sam Patel" })).toBeVisible();
    const courses = page.getByTestId("person-courses");
    // The annual refresher came round again: cycle 2 is due, cycle 1's completion is kept.
    await expect(courses.getByText("Cycle 2")).toBeVisible();
    await expect(courses.getByText("Cycle 1 (earlier)")).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
});
