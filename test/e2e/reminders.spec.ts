import { expect, expectNoSeriousA11yViolations, loggedInPage, test } from "./helpers";

// Issue 13: an admin reads today's dry run on the demo organisation (which starts with automatic
// sending paused) and changes the schedule; a manager reminds someone in their team, once.
const ADMIN = "sam.patel@harbour.example";
const MANAGER = "owen.price@harbour.example";
const DESKTOP = { width: 1280, height: 900 };

test("an admin reviews the dry run and the schedule; a manager reminds a team member once", async ({
  browser,
}) => {
  const admin = await loggedInPage(browser, ADMIN);
  const manager = await loggedInPage(browser, MANAGER);
  await admin.page.setViewportSize(DESKTOP);
  await manager.page.setViewportSize(DESKTOP);
  const dryRun = admin.page.getByTestId("dry-run").locator("tbody tr");

  await test.step("the dry run: who would be mailed today and why, who would not and why not", async () => {
    const page = admin.page;
    await page.goto("/admin/people");
    await page
      .getByRole("navigation", { name: "People administration" })
      .getByRole("link", { name: "Reminders" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "Reminders" })).toBeVisible();
    await expect(page.getByText("Automatic sending is paused")).toBeVisible();
    expect(await dryRun.count()).toBeGreaterThan(20);
    // One message a person a day, naming every course it is about and why: Jamie has courses
    // falling due (and the welcome course overdue, unless the foundation spec has taken it).
    const jamie = dryRun.filter({ hasText: "jamie.fox@harbour.example" });
    await expect(jamie).toHaveCount(1);
    await expect(jamie).toContainText(/\((due in \d+ days?|\d+ days? overdue)\)/);
    // Whoever is overdue is told for how long.
    await expect(dryRun.filter({ hasText: /\(\d+ days? overdue\)/ }).first()).toBeVisible();
    // Owen hears about his team today: the weekly digest, or (on a day he is told of someone
    // overdue) the escalation, which holds the digest back a day.
    await expect(
      dryRun
        .filter({ hasText: "owen.price@harbour.example" })
        .filter({ hasText: /Team digest|Escalation to the manager/ }),
    ).toHaveCount(1);
    const notMailed = page.getByRole("region", { name: "Who would not be mailed, and why" });
    // Which reasons there are depends on what earlier specs did to the demo: open the first.
    const reason = notMailed.getByRole("group").first();
    await expect(reason.locator("summary")).toHaveText(/\(\d+\)$/);
    await reason.locator("summary").click();
    await expect(reason.getByRole("listitem").first()).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });

  await test.step("a schedule change is saved and audited", async () => {
    const page = admin.page;
    await page.getByLabel(/From this hour/).selectOption("9");
    await page.getByLabel("Days before the due date").fill("14, 7, 1");
    await page.getByRole("button", { name: "Save the schedule" }).click();
    await expect(
      page.getByRole("status").filter({ hasText: "The schedule is saved" }),
    ).toBeVisible();
    await expect(page.getByLabel("Days before the due date")).toHaveValue("14, 7, 1");
    await page.goto("/admin/audit?action=reminders.schedule_changed");
    await expect(page.getByRole("cell", { name: ADMIN }).first()).toBeVisible();
  });

  await test.step("a manager reminds someone in their team; once a day", async () => {
    const page = manager.page;
    await page.goto("/team");
    const remind = page.getByRole("button", { name: "Remind Jamie Fox" });
    await remind.click();
    await expect(
      page.getByRole("status").filter({ hasText: "Jamie Fox was reminded." }),
    ).toBeVisible();
    await expect(page.getByRole("button", { name: "Remind Jamie Fox" })).toHaveCount(0);
    await expect(page.getByTestId("team-table").getByText("Reminded today").first()).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });

  await test.step("the dry run now leaves Jamie out: the reminder covered today's step", async () => {
    const page = admin.page;
    await page.goto("/admin/reminders");
    await expect(dryRun.filter({ hasText: "jamie.fox@harbour.example" })).toHaveCount(0);
    const covered = page.locator("details", { hasText: "Already reminded for this step" });
    await covered.getByText(/Already reminded for this step/).click();
    await expect(covered.getByText("Jamie Fox")).toBeVisible();
  });

  admin.errors.expectNone();
  manager.errors.expectNone();
  await admin.context.close();
  await manager.context.close();
});
