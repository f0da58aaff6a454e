import { expect, login, test } from "./helpers";

// Issue 4: an admin uploads a roster CSV, reads the preview, applies it and finds the new people
// in the people list. Self-contained. The file adds three new starters (one of them managed by
// someone already in Staffroom, one listed before their manager) and changes no one else, so
// other specs' people are untouched.
const ADMIN = "sam.patel@harbour.example";
const FILE = "test/fixtures/roster/new-starters.csv";

test("an admin imports a roster: upload, preview, apply, find the new people", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, ADMIN);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "People" })
    .click();
  await expect(page.getByRole("heading", { name: "People", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Import a roster" }).click();

  // A bad file first: every problem named by line, nothing imported.
  await page.getByLabel("Roster file (.csv)").setInputFiles({
    name: "broken.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      "email,name,department,title,manager_email,roles,hired_on\nok@harbour.example,Okay,,,ghost@harbour.example,,\nbroken,,,,,,\n",
    ),
  });
  await page.getByRole("button", { name: "Preview the import" }).click();
  const problems = page.getByTestId("import-problems");
  await expect(problems.getByRole("heading")).toHaveText(
    "3 problems in broken.csv: nothing was imported",
  );
  await expect(
    problems.getByRole("row", { name: /^2 E \(manager_email\) No person with the email ghost/ }),
  ).toBeVisible();
  await expect(problems.getByRole("row", { name: /^3 A \(email\)/ })).toBeVisible();

  // The real file.
  await page.getByLabel("Roster file (.csv)").setInputFiles(FILE);
  await page.getByRole("button", { name: "Preview the import" }).click();
  const preview = page.getByTestId("import-preview");
  await expect(preview.getByRole("heading", { name: "Preview of new-starters.csv" })).toBeVisible();
  await expect(preview.locator(".summary-counts")).toContainText("3 to create");
  await expect(preview.locator(".summary-counts")).toContainText("0 to update");
  const creates = preview.getByTestId("preview-creates");
  await expect(creates.getByRole("row")).toHaveCount(4);
  await expect(creates).toContainText("Nia Quarshie");
  await expect(creates).toContainText("rhys.penhaligon@harbour.example");
  await expect(creates).toContainText("owen.price@harbour.example");
  // Everyone already in Staffroom is listed as absent, and nobody is ticked for deactivation.
  await expect(preview.getByTestId("preview-absent")).toContainText("Deactivate Owen Price");
  await expect(preview.getByRole("checkbox", { checked: true })).toHaveCount(0);
  await page.screenshot({ path: "test-results/roster-import-preview.png", fullPage: false });

  await page.getByRole("button", { name: "Apply the import" }).click();
  const applied = page.getByTestId("import-applied");
  await expect(applied).toContainText("Import applied. 3 created, 0 updated, 0 unchanged.");
  await applied.getByRole("link", { name: "See everyone in the people list" }).click();

  await page.getByRole("searchbox", { name: "Search" }).fill("harbour.example");
  await page.getByRole("combobox", { name: "Manager" }).selectOption({ label: "Rhys Penhaligon" });
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByRole("status")).toHaveText("2 people.");
  const table = page.getByTestId("people-table");
  await expect(table.getByRole("rowheader")).toHaveText([/Nia Quarshie/, /Tariq Aziz/]);
  await expect(table.getByRole("row", { name: /Tariq Aziz/ })).toContainText("Packer and dispatch");
  await expect(table.getByRole("row", { name: /Nia Quarshie/ })).toContainText("Not set yet");
  await page.screenshot({ path: "test-results/roster-people-list.png", fullPage: false });

  // And the new team lead is found by name, reporting to the manager already in Staffroom.
  await page.goto("/admin/people?q=penhaligon");
  await expect(
    page.getByTestId("people-table").getByRole("row", { name: /Rhys Penhaligon/ }),
  ).toContainText("Owen Price");

  // His page: an invitation link to copy, shown once.
  await page.getByRole("link", { name: "Rhys Penhaligon" }).click();
  await expect(page.getByRole("heading", { name: /Rhys Penhaligon/, level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Create an invitation link" }).click();
  await expect(page.getByTestId("set-password-link")).toHaveValue(/\/set-password\/[\w-]{43}$/);
  await page.screenshot({ path: "test-results/roster-person-page.png", fullPage: false });
});
