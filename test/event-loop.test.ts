import { expect, test } from "vitest";
import { db } from "~/utils/db.server";
import { giveWay } from "~/utils/event-loop.server";
import { migratedDatabase } from "./helpers/db";

// better-sqlite3 answers synchronously: without giving way, a chain of awaited queries never
// lets a timer (or another request) run until the chain ends.
test("a long chain of queries gives the event loop a turn", async () => {
  await migratedDatabase();
  let fired = false;
  setTimeout(() => (fired = true), 0);
  const started = Date.now();
  while (!fired && Date.now() - started < 5000) {
    await db.selectFrom("users").select("id").limit(1).execute();
  }
  expect(fired).toBe(true);
});

test("work that calls giveWay() as it goes lets a timer run", async () => {
  let fired = false;
  setTimeout(() => (fired = true), 0);
  const started = Date.now();
  while (!fired && Date.now() - started < 5000) await giveWay();
  expect(fired).toBe(true);
});
