// Issue 13 on the demo organisation, over HTTP: the dry-run page agrees with
// `reminders run --dry-run --format json`; managers and leaders nudge (their own team only, once
// a day); the schedule form; the account page and the one-click unsubscribe link.
import { sql } from "kysely";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { DEMO_PASSWORD } from "~/services/demo.server";
import { getSchedule, saveSchedule, unsubscribeUrl } from "~/services/reminder-settings.server";
import { Browser } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";
import { one } from "../helpers/db";

const run = promisify(execFile);
const ADMIN = "sam.patel@harbour.example";
const LEADER = "margaret.okafor@harbour.example";
const MANAGER = "owen.price@harbour.example";
const REPORT = "jamie.fox@harbour.example";
const OTHER_TEAM = "nia.baker@harbour.example";

let server: RunningServer;
const browsers = new Map<string, Browser>();

async function as(email: string) {
  if (!browsers.has(email)) {
    const browser = new Browser(server.url);
    await browser.login(email, DEMO_PASSWORD);
    browsers.set(email, browser);
  }
  return browsers.get(email)!;
}

const idOf = async (email: string) =>
  ((await one(sql`select id from users where email = ${email}`)) as { id: number }).id;

const staffroom = (...args: string[]) =>
  run(process.execPath, ["bin/staffroom.js", ...args], {
    env: { ...process.env, COURSES_DIR: "./courses" },
    maxBuffer: 16 * 1024 * 1024,
  });

beforeAll(async () => {
  // The demo organisation in this file's own database (test/setup.ts names it).
  // (Its automatic sending is paused, so the server sends nothing by itself.)
  await staffroom("demo", "--no-serve");
  server = await startServer({ COURSES_DIR: "./courses" });
});

afterAll(async () => {
  await server?.stop();
});

describe("the dry run", () => {
  test("the admin page and `reminders run --dry-run --format json` agree on the demo organisation", async () => {
    const { stdout } = await staffroom("reminders", "run", "--dry-run", "--format", "json");
    const cli = (JSON.parse(stdout) as { to: string; kind: string; courses: string[] }[])
      .map((m) => `${m.to} ${m.kind} ${m.courses.join(" ")}`)
      .sort();
    const page = await (await (await as(ADMIN)).get("/admin/reminders")).text();
    const rows = [
      ...page.matchAll(/<tr data-to="([^"]+)" data-kind="([^"]+)" data-courses="([^"]*)">/g),
    ]
      .map(([, to, kind, courses]) => `${to} ${kind} ${courses}`)
      .sort();
    expect(cli.length).toBeGreaterThan(20);
    expect(rows).toEqual(cli);
    // The demo always has people overdue, and their managers escalated to; which other kinds
    // come up depends on the day of the week and of the month. And who is left out, and why.
    const kinds = new Set(cli.map((m) => m.split(" ")[1]));
    expect(kinds).toContain("overdue");
    expect(kinds).toContain("escalation");
    for (const kind of kinds) {
      expect([
        "before_due",
        "due_today",
        "overdue",
        "escalation",
        "digest",
        "leader_summary",
      ]).toContain(kind);
    }
    expect(page).toContain("Who would not be mailed, and why");
    expect(page).toContain("Completed everything assigned");
    expect(page).toContain("Automatic sending is paused");
  });

  test("the schedule form refuses bad values beside the field, and saves good ones (audited)", async () => {
    const sam = await as(ADMIN);
    const form = {
      automatic: "on",
      hour: "8",
      beforeDueDays: "14, 3",
      onDueDay: "on",
      overdueEveryDays: "7",
      escalateAfterDays: "10",
      escalateEveryDays: "3",
      digest: "weekly",
      digestWeekday: "2",
      leaderSummary: "on",
      leaderSummaryDay: "1",
      orgName: "Harbour Knitwear",
    };
    const refused = await sam.post("/admin/reminders", form);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("days between escalations: at least 7.");
    const before = await getSchedule();
    try {
      const saved = await sam.post("/admin/reminders", { ...form, escalateEveryDays: "14" });
      expect(saved.status).toBe(200);
      expect(await saved.text()).toContain("The schedule is saved");
      expect(await getSchedule()).toMatchObject({
        hour: 8,
        beforeDueDays: [14, 3],
        escalateAfterDays: 10,
        escalateEveryDays: 14,
        digestWeekday: 2,
      });
      const audit = await (await sam.get("/admin/audit?action=reminders.schedule_changed")).text();
      expect(audit).toContain(ADMIN);
    } finally {
      await saveSchedule(SYSTEM_ACTOR, before);
    }
  });
});

describe("nudges", () => {
  test("a manager reminds someone in their team once a day, and nobody outside it", async () => {
    const owen = await as(MANAGER);
    const first = await owen.post("/team", {
      intent: "remind",
      personId: String(await idOf(REPORT)),
    });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Jamie Fox was reminded.");
    expect(await (await owen.get("/team")).text()).toContain("Reminded today");
    const again = await owen.post("/team", {
      intent: "remind",
      personId: String(await idOf(REPORT)),
    });
    expect(await again.text()).toContain("Jamie Fox has already had a reminder today");
    for (const personId of [String(await idOf(OTHER_TEAM)), String(await idOf(LEADER)), "999999"]) {
      const refused = await owen.post("/team", { intent: "remind", personId });
      expect(refused.status, personId).toBe(403);
    }
    const data = await owen.post("/team.data", {
      intent: "remind",
      personId: String(await idOf(OTHER_TEAM)),
    });
    expect(data.status).toBe(403);
    // Jamie sees the reminder on their account page.
    const jamie = await as(REPORT);
    expect(await (await jamie.get("/account")).text()).toContain(
      "Owen Price reminds you about your training",
    );
  });

  test("a leader reminds anyone on the not-finished list; a manager cannot post to the reports", async () => {
    const margaret = await as(LEADER);
    const res = await margaret.post("/reports", {
      intent: "remind",
      personId: String(await idOf(OTHER_TEAM)),
    });
    expect(await res.text()).toContain("Nia Baker was reminded.");
    const owen = await as(MANAGER);
    const refused = await owen.post("/reports", {
      intent: "remind",
      personId: String(await idOf(OTHER_TEAM)),
    });
    expect(refused.status).toBe(403);
  });
});

describe("people control their mail", () => {
  test("the account page lists what a manager gets; the digest's one-click link stops it", async () => {
    const owen = await as(MANAGER);
    const account = await (await owen.get("/account")).text();
    expect(account).toContain("Due-date reminders");
    expect(account).toContain("cannot be switched off");
    expect(account).toContain("When someone in your team falls behind");
    expect(account).toMatch(/<option value="weekly" selected="">Weekly<\/option>/);

    const link = await unsubscribeUrl(await idOf(MANAGER), "digest");
    const path = new URL(link).pathname;
    const anonymous = new Browser(server.url);
    const page = await anonymous.get(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Stop getting the team digest by email?");
    const done = await anonymous.post(path, {});
    expect(await done.text()).toContain("you will no longer get the team digest");
    expect(await (await owen.get("/account")).text()).toMatch(
      /<option value="off" selected="">Off<\/option>/,
    );
    expect((await anonymous.get(`${path}x`)).status).toBe(404);

    // Back on, from the account page.
    expect((await owen.post("/account", { digest: "fortnightly" })).status).toBe(200);
    expect(await (await owen.get("/account")).text()).toMatch(
      /<option value="fortnightly" selected="">Every two weeks<\/option>/,
    );
    expect((await owen.post("/account", { digest: "weekly" })).status).toBe(200);
  });
});
