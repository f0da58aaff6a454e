// Periodic jobs run once per period wherever they are polled: every worker process and every
// app server polls, and the claim in job_runs (one statement) lets one of them run it.
import { sql } from "kysely";
import { afterEach, beforeAll, expect, test } from "vitest";
import { runIfDue, type PeriodicJob } from "~/services/jobs.server";
import { advanceClock, resetClock } from "~/utils/clock.server";
import { migratedDatabase, one } from "./helpers/db";

beforeAll(async () => {
  await migratedDatabase();
});
afterEach(() => resetClock());

test("twenty pollers at once: the job runs once per period, again when the next period comes", async () => {
  let runs = 0;
  const job: PeriodicJob = {
    name: "count-runs",
    everyMs: 60 * 60 * 1000,
    run: async () => void runs++,
  };
  const poll = () => Promise.all(Array.from({ length: 20 }, () => runIfDue(job)));

  expect((await poll()).filter(Boolean)).toHaveLength(1);
  expect(runs).toBe(1);
  advanceClock(30 * 60 * 1000);
  expect((await poll()).filter(Boolean)).toHaveLength(0);
  advanceClock(30 * 60 * 1000);
  expect((await poll()).filter(Boolean)).toHaveLength(1);
  expect(runs).toBe(2);
  expect(await one(sql`select count(*) n from job_runs where name = 'count-runs'`)).toEqual({
    n: 1,
  });
});
