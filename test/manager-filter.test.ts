import { beforeAll, describe, expect, test } from "vitest";
import { commandLineActor } from "~/models/audit.server";
import { listManagerChoices, MANAGER_CHOICES } from "~/models/users.server";
import { applyRoster } from "~/services/roster-import.server";
import { csvOf, manyRows } from "./fixtures/roster/roster-csv";
import { migratedDatabase } from "./helpers/db";

// The manager filter on the leadership report and the people list: every manager while there
// are few enough to choose from; past MANAGER_CHOICES, none (the page asks for an email), so
// that a large organisation's pages do not each carry a list of a thousand managers.

/** manyRows' organisation (8 reports per manager), its head an admin. */
const importRoster = async (people: number, domain: string) => {
  const [head, ...rest] = manyRows(people, domain).reverse();
  const fields = head!.split(",");
  fields[5] = "admin";
  const result = await applyRoster(
    Buffer.from(csvOf([fields.join(","), ...rest])),
    `${domain}.csv`,
    commandLineActor("test"),
  );
  expect(result.status).toBe("applied");
};

beforeAll(async () => {
  await migratedDatabase();
});

describe("manager choices", () => {
  test("each manager by name while there are few; none past MANAGER_CHOICES", async () => {
    // person0 manages person1–8, person1 manages person9–16, person2 manages person17.
    await importRoster(18, "few.example");
    expect(await listManagerChoices()).toEqual([
      { email: "person0@few.example", name: "Person 0" },
      { email: "person1@few.example", name: "Person 1" },
      { email: "person2@few.example", name: "Person 2" },
    ]);
    // MANAGER_CHOICES + 1 managers of 8 each need 8 × MANAGER_CHOICES + 2 people.
    await importRoster(8 * MANAGER_CHOICES + 2, "many.example");
    expect(await listManagerChoices()).toBeNull();
  });
});
