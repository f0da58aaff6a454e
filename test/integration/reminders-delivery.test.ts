// Issue 13: reminders delivered through a real SMTP server on loopback, by the CLI (as the server
// runs the same job), two processes at once, and mail servers that refuse or hang up. Each test
// runs on its own day (7 days apart, so each in its own week): they pass in any order.
import { sql } from "kysely";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { recomputeAssignments } from "~/services/assignments.server";
import { syncCourses } from "~/services/courses.server";
import { readUnsubscribeLink } from "~/services/reminder-settings.server";
import { all, migratedDatabase } from "../helpers/db";
import { loggedIn, seedPeople } from "../helpers/people";
import { startServer } from "../helpers/server";
import { addDays, today } from "~/utils/calendar.server";
import { startDroppingServer, startMailServer } from "../helpers/smtp";

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
const ORIGIN = "https://learn.example.test";
const ORG_NAME = "Northwind Test Works";
const LEARNERS = Array.from({ length: 30 }, (_, i) => `l${String(i + 1).padStart(2, "0")}`);
const PEOPLE = [
  { key: "ada", name: "Ada Admin", admin: true },
  { key: "lee", name: "Lee Leader", leader: true },
  { key: "mia", name: "Mia Manager", manager: "lee" },
  { key: "ann", name: "Ann Able", manager: "mia" },
  ...LEARNERS.map((key) => ({ key, name: `Learner ${key}`, manager: "mia" })),
];
const email = (key: string) => `${key}@test.example`;

interface CliMessage {
  to: string;
  kind: string;
  person: string | null;
  courses: string[];
  status?: string;
}

/** `staffroom reminders run …` against this file's database, `offsetMs` from now. */
async function reminders(args: string[], offsetMs: number, smtpUrl?: string) {
  const { stdout } = await run(
    process.execPath,
    ["bin/staffroom.js", "reminders", "run", ...args],
    {
      env: {
        ...process.env,
        NODE_ENV: "test",
        STAFFROOM_CLOCK_OFFSET_MS: String(offsetMs),
        ORIGIN,
        ORG_NAME,
        SMTP_URL: smtpUrl ?? "",
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

const runJson = async (offsetMs: number, smtpUrl?: string, dryRun = false) =>
  JSON.parse(
    await reminders(["--format", "json", ...(dryRun ? ["--dry-run"] : [])], offsetMs, smtpUrl),
  ) as CliMessage[];

const keyOf = (m: { to: string; kind: string }) => `${m.to} ${m.kind}`;

/** The rows of the messages sent on the organisation's day `offsetDays` from today. */
const messagesOn = async (offsetDays: number) =>
  (await all(sql`select m.kind, m.status, m.attempts, m.delivered_via, m.sent_at, m.last_error, u.email
       from reminder_messages m join users u on u.id = m.recipient_id
       where m.day = ${addDays(today(), offsetDays)} order by m.id`)) as {
    kind: string;
    status: string;
    attempts: number;
    delivered_via: string | null;
    sent_at: string | null;
    last_error: string | null;
    email: string;
  }[];

beforeAll(async () => {
  await migratedDatabase();
  expect((await syncCourses("test/fixtures/courses-integration")).errors).toEqual([]);
  await seedPeople(PEOPLE);
  // Everyone is assigned both courses today, due in 30 days (the default rule).
  await recomputeAssignments();
});

describe("delivery through SMTP", () => {
  test("a real SMTP server receives the reminder: headers, text and HTML, links", async () => {
    const smtp = await startMailServer("accept");
    try {
      const sent = await runJson(23 * DAY_MS, smtp.url);
      expect(sent.find((m) => m.to === email("ann"))).toEqual(
        expect.objectContaining({
          kind: "before_due",
          person: email("ann"),
          courses: ["basics", "quizzed"],
          status: "sent",
        }),
      );
      expect(smtp.received).toHaveLength(sent.length);

      const ann = smtp.received.find((m) => m.envelopeTo.includes(email("ann")))!;
      expect(ann.headers.from).toBe(`"${ORG_NAME} (Staffroom)" <staffroom@learn.example.test>`);
      expect(ann.headers.to).toBe(email("ann"));
      expect(ann.headers.subject).toBe("Reminder: 2 courses are due soon");
      expect(ann.headers["message-id"]).toMatch(/^<reminder-\d+@learn\.example\.test>$/);
      expect(ann.headers["content-type"]).toMatch(/^multipart\/alternative;/);
      // Due-date reminders are mandatory: no unsubscribe header.
      expect(ann.headers["list-unsubscribe"]).toBeUndefined();
      const text = ann.parts["text/plain"]!;
      const html = ann.parts["text/html"]!;
      expect(text).toContain(`${ORIGIN}/courses/basics`);
      expect(text).toContain(`${ORIGIN}/courses/quizzed`);
      expect(text).toContain(`${ORG_NAME} · Staffroom`);
      expect(text).toContain(
        `You get this because this training is assigned to you at ${ORG_NAME}`,
      );
      expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
      expect(html).toContain(`<a href="${ORIGIN}/courses/basics"`);
      expect(html).toContain(`<a href="${ORIGIN}/"`);
      expect(html).toContain("Open your training");
      expect(html).toContain("due in 7 days");

      // The manager's digest can be stopped: a List-Unsubscribe header, the same link in the text.
      const toMia = smtp.received.filter((m) => m.envelopeTo.includes(email("mia")));
      expect(toMia).toHaveLength(2);
      const digest = toMia.find((m) => m.headers.subject!.startsWith("Your team"))!;
      expect(digest.headers.subject).toBe("Your team's training: 0 overdue, 62 not started");
      const unsubscribe = /^<(https:\/\/learn\.example\.test\/unsubscribe\/([^>]+))>$/.exec(
        digest.headers["list-unsubscribe"] ?? "",
      );
      expect(unsubscribe).not.toBeNull();
      expect(digest.parts["text/plain"]).toContain(
        `Unsubscribe from the team digest: ${unsubscribe![1]}`,
      );
      await expect(readUnsubscribeLink(unsubscribe![2]!)).resolves.toMatchObject({
        list: "digest",
      });
      expect(
        (await messagesOn(23)).every((m) => m.status === "sent" && m.delivered_via === "smtp"),
      ).toBe(true);
    } finally {
      await smtp.close();
    }
  });

  test("two processes running the job at once send each message once", async () => {
    // A slow mail server, so that the two runs overlap while they send.
    const smtp = await startMailServer("accept", 15);
    try {
      const expected = (await runJson(30 * DAY_MS, undefined, true)).map(keyOf).sort();
      expect(expected.length).toBeGreaterThan(30);
      const [first, second] = await Promise.all([
        runJson(30 * DAY_MS, smtp.url),
        runJson(30 * DAY_MS, smtp.url),
      ]);
      // Between them, every planned message exactly once; received exactly once.
      expect([...first, ...second].map(keyOf).sort()).toEqual(expected);
      const recipients = smtp.received.map((m) => m.envelopeTo.join(",")).sort();
      expect(recipients).toEqual(expected.map((k) => k.split(" ")[0]).sort());
      expect(new Set(smtp.received.map((m) => m.headers["message-id"])).size).toBe(expected.length);
      // And a third run the same day sends nothing.
      expect(await runJson(30 * DAY_MS, smtp.url)).toEqual([]);
      expect(smtp.received).toHaveLength(expected.length);
    } finally {
      await smtp.close();
    }
  });
});

describe("a mail server that refuses or hangs up", () => {
  test("a 5xx leaves every reminder unsent and retrying; a later run delivers each once", async () => {
    const refusing = await startMailServer("refuse");
    const offset = 37 * DAY_MS;
    let refused: CliMessage[];
    try {
      refused = await runJson(offset, refusing.url);
    } finally {
      await refusing.close();
    }
    expect(refused.length).toBeGreaterThan(30);
    expect(new Set(refused.map((m) => m.status))).toEqual(new Set(["retrying"]));
    expect(refused.map((m) => m.kind)).toContain("escalation");
    const rows = await messagesOn(37);
    expect(rows.every((r) => r.status === "retrying" && r.sent_at === null)).toBe(true);
    expect(rows.every((r) => r.delivered_via === null && r.attempts === 1)).toBe(true);
    expect(rows[0]!.last_error).toMatch(/550/);

    const smtp = await startMailServer("accept");
    try {
      // Four minutes on: not yet (the first retry waits five).
      expect(await runJson(offset + 4 * MINUTE_MS, smtp.url)).toEqual([]);
      expect(smtp.received).toEqual([]);
      // Six minutes on: the retries go out, each once; nothing new is planned.
      expect(await runJson(offset + 6 * MINUTE_MS, smtp.url)).toEqual([]);
      expect(smtp.received.map((m) => m.envelopeTo.join(",")).sort()).toEqual(
        refused.map((m) => m.to).sort(),
      );
      expect((await messagesOn(37)).every((r) => r.status === "sent" && r.attempts === 2)).toBe(
        true,
      );
    } finally {
      await smtp.close();
    }
  });

  test("a server that drops the connection: retried with backoff, then given up and shown to admins", async () => {
    const dropping = await startDroppingServer();
    const offset = 44 * DAY_MS;
    try {
      const first = await runJson(offset, dropping.url);
      expect(first.length).toBeGreaterThan(0);
      expect(new Set(first.map((m) => m.status))).toEqual(new Set(["retrying"]));
      // Retries after 5 minutes, 30 more, 2 hours more, 8 hours more: the fifth attempt is the last.
      for (const minutes of [5, 35, 155, 635]) {
        await reminders([], offset + minutes * MINUTE_MS, dropping.url);
      }
      const rows = await messagesOn(44);
      expect(rows.length).toBe(first.length);
      expect(rows.every((r) => r.status === "failed" && r.attempts === 5)).toBe(true);
      expect(rows.every((r) => r.sent_at === null && r.delivered_via === null)).toBe(true);
    } finally {
      await dropping.close();
    }
    const server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
    try {
      const ada = await loggedIn(server.url, "ada");
      const page = await (await ada.get("/admin/reminders")).text();
      expect(page).toContain("Not delivered");
      expect(page).toContain("Given up after 5 attempts");
      expect(page).toMatch(/Connection closed|ECONNRESET|socket/i);
    } finally {
      await server.stop();
    }
  });
});
