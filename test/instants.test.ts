// Instants reach the models as the ISO strings JavaScript writes, on either engine (PostgreSQL
// stores them as timestamptz; its pool turns them back), and compare and sort as instants.
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { createUser } from "~/models/users.server";
import { db } from "~/utils/db.server";
import { isoInstant } from "~/utils/postgres-driver.server";
import { all, migratedDatabase } from "./helpers/db";

beforeAll(async () => {
  await migratedDatabase();
});

describe("instants", () => {
  test("PostgreSQL's text for an instant becomes JavaScript's ISO form", () => {
    expect(isoInstant("2026-03-01 09:30:00+00")).toBe("2026-03-01T09:30:00.000Z");
    expect(isoInstant("2026-03-01 09:30:00.12+00")).toBe("2026-03-01T09:30:00.120Z");
    expect(isoInstant("2026-03-01 09:30:00.123456+00")).toBe("2026-03-01T09:30:00.123Z");
    expect(isoInstant("2026-03-01 10:30:00.5+01")).toBe("2026-03-01T09:30:00.500Z");
  });

  test("written and read back unchanged; compared and ordered as instants; days stay days", async () => {
    const recipient = `instants-${Date.now()}@example.com`;
    // Out of order, across a day, a year and a millisecond apart.
    const instants = [
      "2026-12-31T23:59:59.999Z",
      "2026-01-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
      "2026-12-31T23:59:59.998Z",
    ];
    for (const at of instants) {
      await db
        .insertInto("outbox")
        .values({ created_at: at, recipient, subject: "s", body: "b", delivery_error: null })
        .execute();
    }
    const rows = await db
      .selectFrom("outbox")
      .select("created_at")
      .where("recipient", "=", recipient)
      .where("created_at", ">", "2026-12-31T23:59:59.998Z")
      .orderBy("created_at")
      .execute();
    expect(rows.map((r) => r.created_at)).toEqual([
      "2026-12-31T23:59:59.999Z",
      "2027-01-01T00:00:00.000Z",
    ]);
    const [latest] = await all<{ at: string }>(
      sql`select max(created_at) as at from outbox where recipient = ${recipient}`,
    );
    expect(latest!.at).toBe("2027-01-01T00:00:00.000Z");
    const id = await createUser({
      email: recipient,
      name: "Dee Day",
      departmentId: null,
      hiredOn: "2026-02-28",
    });
    expect(await all(sql`select hired_on from users where id = ${id}`)).toEqual([
      { hired_on: "2026-02-28" },
    ]);
  });
});
