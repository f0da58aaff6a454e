// The leadership report keeps its organisation-wide figures between loads
// (services/reports.server.ts) and must never show them past a change: a completion made here,
// a write by another process, the day turning, another database.
import Database from "better-sqlite3";
import { beforeAll, expect, test, vi } from "vitest";
import { recomputeAssignments } from "~/services/assignments.server";
import { leadershipReport, parseReportFilter } from "~/services/reports.server";
import { databaseEngine, databaseLocation } from "~/utils/db.server";
import { basicsForEveryone } from "./helpers/basics-course";
import { migratedDatabase } from "./helpers/db";
import { seedPeople } from "./helpers/people";

const DAY = 24 * 60 * 60 * 1000;
const start = new Date("2026-03-02T10:00:00.000Z").getTime();
const figures = async () =>
  (await leadershipReport(parseReportFilter(new URLSearchParams()))).summary;
let finish: (key: string) => Promise<void>;
let ids: Map<string, number>;

beforeAll(async () => {
  await migratedDatabase();
  const basics = await basicsForEveryone();
  ids = await seedPeople([
    { key: "lead", name: "Lead", dept: "Office", admin: true, leader: true },
    { key: "a", name: "Anna", dept: "Sales", manager: "lead" },
    { key: "b", name: "Ben", dept: "Sales", manager: "lead" },
  ]);
  finish = (key) => basics.finish(ids.get(key)!);
});

test("a completion, another process's write, the day turning: each shows at the next load", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime(start);
    await recomputeAssignments();
    expect((await figures()).completion).toEqual({ done: 0, of: 3, percent: 0 });
    expect((await figures()).completion).toEqual({ done: 0, of: 3, percent: 0 });

    await finish("a");
    expect((await figures()).completion).toEqual({ done: 1, of: 3, percent: 33 });

    // Another process (here, another connection) moves Ben's due date into the past.
    if (databaseEngine() === "sqlite") {
      const other = new Database(databaseLocation());
      other
        .prepare("update assignments set due_before = ? where user_id = ?")
        .run(new Date(start - DAY).toISOString(), ids.get("b"));
      other.close();
      expect((await figures()).overdue).toBe(1);
    }

    // Thirty-one days on, everyone unfinished is overdue, with nothing written meanwhile.
    vi.setSystemTime(start + 31 * DAY);
    expect((await figures()).overdue).toBe(2);
  } finally {
    vi.useRealTimers();
  }
});
