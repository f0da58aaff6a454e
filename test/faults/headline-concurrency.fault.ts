import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { csvOf, manyRows } from "../fixtures/roster/roster-csv";
import { staffroom } from "./helpers/cli";
import { DRILL, lessonSlug, reviseDrillLessons, writeFaultCourses } from "./helpers/courses";
import { completeLesson, DOMAIN, logInAll, seedLearners } from "./helpers/learners";
import { inPool, ms } from "./helpers/load";
import { holdWriteLock } from "./helpers/lock";
import { completion, countOf, inspect, SOUND, soundness } from "./helpers/sqlite";
import { figure } from "./helpers/sets";

// Issue 9, "What it must show": two workers and the command line writing at once lose nothing
// and fail nobody; two admins demoting each other never leave the organisation without one.

const file = process.env.DATABASE_PATH!;
const LEARNERS = 50;
const LESSONS = 40;
const CONCURRENCY = 50;
const IMPORTED = "newhires.example";
const coursesDir = writeFaultCourses(LESSONS);
let server: RunningServer;
let sessions: Map<string, Browser>;
let userIds: Map<string, number>;

beforeAll(async () => {
  await migratedDatabase();
  userIds = await seedLearners(LEARNERS, [
    { key: "ada", name: "Ada Admin", dept: "Office", admin: true },
    { key: "bob", name: "Bob Admin", dept: "Office", admin: true },
  ]);
  server = await startServer({ COURSES_DIR: coursesDir, WEB_CONCURRENCY: "2" });
  sessions = await logInAll(server.url, [...userIds.keys()]);
});

afterAll(async () => {
  await server?.stop();
});

describe("Headline: two workers and the command line writing at once", () => {
  test(`2,000 completion POSTs at ${CONCURRENCY} at a time while courses sync and users import run`, async (context) => {
    const learners = [...userIds.keys()].filter((k) => k.startsWith("learner"));
    const pairs = learners.flatMap((key) =>
      Array.from({ length: LESSONS }, (_, i) => ({ key, slug: lessonSlug(i + 1) })),
    );
    expect(pairs).toHaveLength(2000);
    // Real work for the command line: ten lessons changed, 2,000 new hires.
    reviseDrillLessons(coursesDir, 10, "second edition");
    const rosterFile = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-hires-")),
      "hires.csv",
    );
    fs.writeFileSync(rosterFile, csvOf(manyRows(2000, IMPORTED)));

    const statuses: Record<number, number> = {};
    const acked: typeof pairs = [];
    const started = Date.now();
    const cliEnv = { COURSES_DIR: coursesDir };
    const [, sync, imported] = await Promise.all([
      inPool(pairs, CONCURRENCY, async (pair) => {
        const res = await completeLesson(sessions.get(pair.key)!, DRILL, pair.slug);
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 302) acked.push(pair);
      }),
      staffroom(["courses", "sync"], cliEnv),
      staffroom(["users", "import", rosterFile], cliEnv),
    ]);
    const took = Date.now() - started;

    expect(statuses).toEqual({ 302: 2000 });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/10 published/);
    expect(imported.code, imported.stderr).toBe(0);
    const after = inspect(file, (db) => ({
      ...soundness(
        db,
        acked.map((p) => completion(userIds.get(p.key)!, p.slug)),
      ),
      hires: countOf(db, "select count(*) from users where email like ?", `%@${IMPORTED}`),
      // Every new hire has both published courses assigned (the default rule).
      unassigned: countOf(
        db,
        `select count(*) from users u where u.email like ? and
           (select count(*) from assignments a where a.user_id = u.id and a.is_current = 1) < 2`,
        `%@${IMPORTED}`,
      ),
    }));
    expect(after).toEqual({ ...SOUND, hires: 2000, unassigned: 0 });
    await figure(
      context,
      `2 workers: 2,000 completions (all 302, all present) in ${ms(took)} ` +
        `(${Math.round(2000 / (took / 1000))}/s) beside courses sync (${ms(sync.ms)}) ` +
        `and users import of 2,000 (${ms(imported.ms)}); integrity ok`,
    );
  });

  test("two admins demoting each other at the same moment, 50 times: never no admin", async (context) => {
    const ada = sessions.get("ada")!;
    const bob = sessions.get("bob")!;
    const idOf = (key: string) => userIds.get(key)!;
    const demote = (by: Browser, key: string, name: string) =>
      by.post(`/admin/people/${idOf(key)}`, {
        intent: "save",
        email: `${key}@${DOMAIN}`,
        name,
        department: "Office",
        title: "",
        managerEmail: "",
        hiredOn: "",
      });
    const writer = new Database(file, { timeout: 10_000 });
    const outcomes: Record<string, number> = {};
    try {
      for (let round = 1; round <= 50; round++) {
        writer
          .prepare("update users set is_admin = 1 where id in (?, ?)")
          .run(idOf("ada"), idOf("bob"));
        // Odd rounds make sure both requests pass their checks before either writes: another
        // process holds the write lock while they arrive, so both reach the write together.
        const lock = round % 2 ? holdWriteLock(file, 300) : undefined;
        const answers = await Promise.all([
          demote(ada, "bob", "Bob Admin"),
          demote(bob, "ada", "Ada Admin"),
        ]);
        await lock?.released;
        const codes = answers.map((a) => a.status).sort();
        await Promise.all(answers.map((a) => a.arrayBuffer()));
        outcomes[codes.join("+")] = (outcomes[codes.join("+")] ?? 0) + 1;
        const admins = countOf(
          writer,
          "select count(*) from users where is_admin = 1 and status = 'active'",
        );
        expect(admins, `round ${round}: ${codes.join(", ")}`).toBeGreaterThanOrEqual(1);
        for (const code of codes) expect(code, `round ${round}`).toBeLessThan(500);
      }
    } finally {
      writer.close();
    }
    await figure(
      context,
      `50 rounds of mutual demotion, answers: ${Object.entries(outcomes)
        .map(([codes, n]) => `${codes} ×${n}`)
        .join(", ")}; always ≥ 1 active admin`,
    );
  });
});
