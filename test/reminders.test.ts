// Issue 13: reminders and escalation, each message exactly once, on a fixed clock. Every test
// has its own people and its own year, so that tests pass in any order: a run sends to everyone
// in the database, and each test looks only at its own people's mail.
import { sql } from "kysely";
import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { getLessonPage, listLessons, listPublishedCourses } from "~/models/courses.server";
import { listOutbox } from "~/models/outbox.server";
import type { LessonRef } from "~/models/progress.server";
import { insertItems, insertMessage } from "~/models/reminders.server";
import { statusCounts } from "~/models/reports.server";
import { getRosterPerson, getViewer, type Viewer } from "~/models/users.server";
import { recomputeAssignments, waive } from "~/services/assignments.server";
import { syncCourses } from "~/services/courses.server";
import { editPerson, setPersonStatus } from "~/services/people.server";
import { learnerLetter, render } from "~/services/reminder-mail.server";
import {
  chooseMail,
  getSchedule,
  saveSchedule,
  unsubscribe,
  unsubscribeUrl,
  type ReminderSchedule,
} from "~/services/reminder-settings.server";
import {
  nudge,
  nudgeOverdueTeam,
  planReminders,
  remindedLabels,
  retryDueReminders,
  runReminders,
  runScheduledReminders,
  type RunReport,
} from "~/services/reminders.server";
import { summarise } from "~/services/reports.server";
import { completeLesson } from "~/services/progress.server";
import { addDays } from "~/utils/calendar.server";
import { nowIso } from "~/utils/clock.server";
import { all, migratedDatabase, one } from "./helpers/db";
import { seedPeople, type TestPerson } from "./helpers/people";

vi.hoisted(() => {
  process.env.ORG_TIMEZONE = "Europe/London";
});

const ORIGIN = "http://localhost:3000";
let refs: LessonRef[];
let defaults: ReminderSchedule;

beforeAll(async () => {
  await migratedDatabase();
  expect((await syncCourses("test/fixtures/courses-integration")).errors).toEqual([]);
  refs = [];
  for (const course of await listPublishedCourses()) {
    for (const lesson of await listLessons(course.id)) {
      const page = await getLessonPage(course.slug, lesson.slug);
      refs.push({ courseId: course.id, lessonId: lesson.id, versionId: page!.versionId });
    }
  }
  defaults = await getSchedule();
});

afterEach(async () => {
  await saveSchedule(SYSTEM_ACTOR, defaults);
  vi.useRealTimers();
});

/** The clock at 10:00 UTC on `day` (10:00 or 11:00 in London). */
function at(day: string) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(`${day}T10:00:00.000Z`));
}

/** People of one test, assigned both courses (default rule: due in 30 days) on `day`. */
async function organisation(domain: string, people: readonly TestPerson[], day: string) {
  at(day);
  const ids = await seedPeople(people, domain);
  await recomputeAssignments();
  const email = (key: string) => `${key}@${domain}`;
  return { ids, email, due: addDays(day, 30) };
}

/** The messages of a run to these addresses: "to kind courses". */
function mailTo(report: RunReport, ...emails: string[]) {
  return report.sent
    .filter((m) => emails.includes(m.to))
    .map((m) => `${m.to.split("@")[0]} ${m.kind} ${m.courses.join(",")}`)
    .sort();
}

async function runOn(day: string) {
  at(day);
  return runReminders({ dryRun: false });
}

const messagesTo = async (email: string) =>
  (await all(
    sql`select m.kind, m.day, m.status from reminder_messages m join users u on u.id = m.recipient_id where u.email = ${email} order by m.id`,
  )) as { kind: string; day: string; status: string }[];

async function viewer(id: number): Promise<Viewer> {
  return (await getViewer(id))!;
}

describe("learners: before, on and after the due date, each step once", () => {
  test("7 and 1 days before, on the day, then weekly while overdue; several courses make one message", async () => {
    const { email, due } = await organisation(
      "steps.example",
      [{ key: "ann", name: "Ann Able" }],
      "2031-03-03",
    );
    const ann = email("ann");
    expect(mailTo(await runOn(addDays(due, -8)), ann)).toEqual([]);
    expect(mailTo(await runOn(addDays(due, -7)), ann)).toEqual(["ann before_due basics,quizzed"]);
    // The same day again, and the days after inside the same step: nothing new.
    expect(mailTo(await runOn(addDays(due, -7)), ann)).toEqual([]);
    expect(mailTo(await runOn(addDays(due, -6)), ann)).toEqual([]);
    expect(mailTo(await runOn(addDays(due, -1)), ann)).toEqual(["ann before_due basics,quizzed"]);
    expect(mailTo(await runOn(due), ann)).toEqual(["ann due_today basics,quizzed"]);
    expect(mailTo(await runOn(addDays(due, 1)), ann)).toEqual([]);
    expect(mailTo(await runOn(addDays(due, 7)), ann)).toEqual(["ann overdue basics,quizzed"]);
    expect(mailTo(await runOn(addDays(due, 8)), ann)).toEqual([]);
    expect(mailTo(await runOn(addDays(due, 14)), ann)).toEqual(["ann overdue basics,quizzed"]);
    expect((await messagesTo(ann)).map((m) => m.kind)).toEqual([
      "before_due",
      "before_due",
      "due_today",
      "overdue",
      "overdue",
    ]);

    // Without SMTP_URL the mail is in the outbox: text with links, the organisation, and why.
    const [latest] = await listOutbox(ann);
    expect(latest!.subject).toBe("Overdue training: Basics and 1 more");
    expect(latest!.body).toContain(`${ORIGIN}/courses/basics`);
    expect(latest!.body).toContain(`${ORIGIN}/courses/quizzed`);
    expect(latest!.body).toContain("Staffroom");
    expect(latest!.body).toContain("14 days overdue");
    expect(latest!.body).toMatch(/You get this because this training is assigned to you at /);
    expect(latest!.body).toContain("cannot be switched off");
  });

  test("a missed step goes out later in its window; a nudge first takes the day's one message", async () => {
    const { ids, email, due } = await organisation(
      "window.example",
      [
        { key: "mo", name: "Mo Manager" },
        { key: "bea", name: "Bea Baker", manager: "mo" },
      ],
      "2032-03-01",
    );
    // The server was down 7 days before: the 7-day reminder goes out 5 days before.
    expect(mailTo(await runOn(addDays(due, -5)), email("bea"))).toEqual([
      "bea before_due basics,quizzed",
    ]);
    // The day before, Mo nudges Bea first: the day's run then sends Bea nothing more.
    at(addDays(due, -1));
    const mo = await viewer(ids.get("mo")!);
    expect(await nudge(mo, ids.get("bea")!, "team")).toMatchObject({ status: "sent" });
    expect(await nudge(mo, ids.get("bea")!, "team")).toMatchObject({ status: "already_today" });
    expect(mailTo(await runOn(addDays(due, -1)), email("bea"))).toEqual([]);
    expect((await messagesTo(email("bea"))).map((m) => m.kind)).toEqual(["before_due", "nudge"]);
    expect((await remindedLabels([ids.get("bea")!]))[ids.get("bea")!]).toEqual({
      label: "Reminded today",
      today: true,
    });
    at(addDays(due, 1));
    expect((await remindedLabels([ids.get("bea")!]))[ids.get("bea")!]!.label).toBe(
      "Reminded 2 days ago",
    );
    const [nudged] = (await listOutbox(email("bea"))).filter((m) => m.subject.includes("reminds"));
    expect(nudged!.subject).toBe("Mo Manager reminds you about your training");
    expect(nudged!.body).toContain("Mo Manager asked Staffroom to remind you");
  });
});

describe("nobody who is done, waived or gone", () => {
  test("completed, waived and deactivated people get nothing, and the dry run says why", async () => {
    const { ids, email, due } = await organisation(
      "done.example",
      [
        { key: "cat", name: "Cat Control" },
        { key: "dot", name: "Dot Done" },
        { key: "wil", name: "Wil Waived" },
        { key: "dee", name: "Dee Deactivated" },
      ],
      "2033-03-01",
    );
    for (const ref of refs) await completeLesson(ids.get("dot")!, ref);
    const admin = { id: ids.get("cat")!, label: "test" };
    const assignments = (await all(
      sql`select id from assignments where user_id = ${ids.get("wil")}`,
    )) as { id: number }[];
    for (const a of assignments) await waive(admin, ids.get("wil")!, a.id, "Trained elsewhere");
    await setPersonStatus(SYSTEM_ACTOR, ids.get("dee")!, "deactivated");

    at(addDays(due, -7));
    const plan = await planReminders();
    const why = (key: string) => plan.notMailed.find((n) => n.email === email(key))?.category;
    expect([why("dot"), why("wil"), why("dee"), why("cat")]).toEqual([
      "completed",
      "waived",
      "deactivated",
      undefined,
    ]);
    const everyone = ["cat", "dot", "wil", "dee"].map(email);
    expect(mailTo(await runOn(addDays(due, -7)), ...everyone)).toEqual([
      "cat before_due basics,quizzed",
    ]);
    for (const day of [addDays(due, -1), due, addDays(due, 7), addDays(due, 14)]) {
      expect(mailTo(await runOn(day), ...everyone).every((m) => m.startsWith("cat "))).toBe(true);
    }
    expect(
      (await Promise.all(["dot", "wil", "dee"].map((k) => messagesTo(email(k))))).flat(),
    ).toEqual([]);
  });
});

describe("escalation to the line manager", () => {
  const PEOPLE = [
    { key: "lee", name: "Lee Leader", leader: true },
    { key: "max", name: "Max Middle", manager: "lee" },
    { key: "bo", name: "Bo Baker", manager: "max" },
    { key: "mia", name: "Mia Manager", manager: "lee" },
    { key: "cy", name: "Cy Cole", manager: "mia" },
  ] as const;

  test("reaches each person's manager on two levels, weekly at most, then the new manager after a roster change", async () => {
    const { ids, email, due } = await organisation("escalate.example", PEOPLE, "2034-03-01");
    const managers = ["lee", "max", "mia"].map(email);
    expect(
      mailTo(await runOn(addDays(due, 6)), ...managers).filter((m) => m.includes("escalation")),
    ).toEqual([]);

    const week1 = await runOn(addDays(due, 7));
    const escalations = week1.sent.filter(
      (m) => m.kind === "escalation" && managers.includes(m.to),
    );
    expect(
      escalations.map((m) => `${m.to.split("@")[0]} about ${m.people.join(" ")}`).sort(),
    ).toEqual([
      `lee about ${email("max")} ${email("mia")}`,
      `max about ${email("bo")}`,
      `mia about ${email("cy")}`,
    ]);
    expect(mailTo(week1, email("bo"))).toEqual(["bo overdue basics,quizzed"]);
    // Running again, and the days after: nothing new.
    expect((await runOn(addDays(due, 7))).sent.filter((m) => managers.includes(m.to))).toEqual([]);
    expect(
      (await runOn(addDays(due, 10))).sent.filter(
        (m) => m.kind === "escalation" && managers.includes(m.to),
      ),
    ).toEqual([]);

    // Bo moves to Mia's team: the next escalation about Bo goes to Mia, none to Max.
    const bo = (await getRosterPerson(ids.get("bo")!))!;
    await editPerson(SYSTEM_ACTOR, bo.id, { ...bo, managerEmail: email("mia") });
    const week2 = await runOn(addDays(due, 14));
    const about = (to: string) =>
      week2.sent.find((m) => m.kind === "escalation" && m.to === email(to))?.people ?? [];
    expect(about("mia").sort()).toEqual([email("bo"), email("cy")].sort());
    expect(about("max")).toEqual([]);
  });

  test("no active manager: nobody to tell, and the dry run says so", async () => {
    const { ids, email, due } = await organisation(
      "orphan.example",
      [
        { key: "old", name: "Old Boss" },
        { key: "ora", name: "Ora Orphan", manager: "old" },
      ],
      "2035-03-01",
    );
    await setPersonStatus(SYSTEM_ACTOR, ids.get("old")!, "deactivated");
    at(addDays(due, 7));
    const plan = await planReminders();
    expect(plan.notMailed.find((n) => n.email === email("ora"))?.category).toBe("no_manager");
    expect(
      plan.messages.filter((m) => m.kind === "escalation" && m.people.includes(email("ora"))),
    ).toEqual([]);
  });
});

describe("digests and the leaders' summary", () => {
  test("a weekly digest to managers with something to say; fortnightly; off; unsubscribe", async () => {
    const { ids, email } = await organisation(
      "digest.example",
      [
        { key: "kim", name: "Kim Keen" },
        { key: "ned", name: "Ned New", manager: "kim" },
        { key: "ola", name: "Ola Done" },
        { key: "pip", name: "Pip Finished", manager: "ola" },
      ],
      // A Monday, the default digest day.
      "2036-03-03",
    );
    for (const ref of refs) await completeLesson(ids.get("pip")!, ref);
    const managers = [email("kim"), email("ola")];
    const monday = await runOn("2036-03-03");
    expect(mailTo(monday, ...managers)).toEqual(["kim digest basics,quizzed"]);
    const digest = monday.sent.find((m) => m.to === email("kim"))!;
    expect(digest.letter.subject).toBe("Your team's training: 0 overdue, 2 not started");
    expect(digest.unsubscribeList).toBe("digest");
    at("2036-03-03");
    expect((await planReminders()).messages.filter((m) => managers.includes(m.to))).toEqual([]);
    // Ola's team has nothing to say: skipped, and said so (as a learner, nothing is due yet).
    const reasons = (report: { notMailed: { email: string; category: string }[] }, key: string) =>
      report.notMailed.filter((n) => n.email === email(key)).map((n) => n.category);
    expect(reasons(monday, "ola")).toEqual(["not_due", "nothing_to_say"]);
    expect(mailTo(await runOn("2036-03-04"), ...managers)).toEqual([]);
    expect(mailTo(await runOn("2036-03-10"), ...managers)).toEqual(["kim digest basics,quizzed"]);

    // Fortnightly: every other Monday (fortnights count from 1970-01-05; one starts 2036-03-17).
    await chooseMail(ids.get("kim")!, { digest: "fortnightly" });
    const fortnight = ["2036-03-17", "2036-03-24", "2036-03-31"];
    const sent = [];
    for (const day of fortnight) {
      sent.push(
        mailTo(await runOn(day), email("kim")).filter((m) => m.includes(" digest ")).length,
      );
    }
    expect(sent).toEqual([1, 0, 1]);

    // The digest's one-click link switches it off.
    const link = await unsubscribeUrl(ids.get("kim")!, "digest");
    expect(await unsubscribe(link.split("/").pop()!)).toBe("digest");
    at("2036-04-07");
    const plan = await planReminders();
    expect(plan.messages.filter((m) => m.to === email("kim"))).toEqual([]);
    expect(reasons(plan, "kim")).toContain("digest_off");
    await expect(unsubscribe(`${link.split("/").pop()}x`)).rejects.toThrow(/not valid/);
  });

  test("a monthly summary to leaders with the Reports page's figures, once; leaders may stop it", async () => {
    const { ids, email } = await organisation(
      "leaders.example",
      [
        { key: "liv", name: "Liv Leader", leader: true },
        { key: "len", name: "Len Leader", leader: true },
      ],
      "2037-04-20",
    );
    await chooseMail(ids.get("len")!, { leaderSummary: false });
    at("2037-05-01");
    const figures = summarise(await statusCounts(nowIso()));
    const report = await runReminders({ dryRun: false });
    const summaries = report.sent.filter((m) => m.kind === "leader_summary");
    expect(summaries.map((m) => m.to).filter((to) => to.endsWith("leaders.example"))).toEqual([
      email("liv"),
    ]);
    const text = render(summaries.find((m) => m.to === email("liv"))!.letter).text;
    expect(text).toContain(
      `Completed overall: ${figures.completion.percent}% (${figures.completion.done} of ${figures.completion.of})`,
    );
    expect(text).toContain(`Overdue: ${figures.overdue} assignment`);
    expect(text).toContain("Unsubscribe from the monthly summary: http");
    expect(report.notMailed.filter((n) => n.email === email("len")).map((n) => n.category)).toEqual(
      ["not_due", "summary_off"],
    );
    expect(mailTo(await runOn("2037-05-02"), email("liv"), email("len"))).toEqual([]);
  });
});

describe("nudges", () => {
  test("a manager reminds their own team (everyone overdue at once), no one else's; a leader anyone", async () => {
    const { ids, email, due } = await organisation(
      "nudge.example",
      [
        { key: "lea", name: "Lea Leader", leader: true },
        { key: "mac", name: "Mac Manager" },
        { key: "ida", name: "Ida Indirect", manager: "mac" },
        { key: "jon", name: "Jon Junior", manager: "ida" },
        { key: "xan", name: "Xan Other" },
        { key: "yul", name: "Yul Otherteam", manager: "xan" },
      ],
      "2038-03-01",
    );
    at(addDays(due, 3));
    const mac = await viewer(ids.get("mac")!);
    await expect(nudge(mac, ids.get("yul")!, "team")).rejects.toMatchObject({
      kind: "not_allowed",
    });
    await expect(nudge(mac, 999_999, "team")).rejects.toMatchObject({ kind: "not_allowed" });
    await expect(nudge(mac, ids.get("yul")!, "organisation")).rejects.toMatchObject({
      kind: "not_allowed",
    });
    // Ida (direct) and Jon (indirect) are overdue.
    expect(await nudgeOverdueTeam(mac)).toEqual({ sent: 2, alreadyToday: 0 });
    expect(await nudgeOverdueTeam(mac)).toEqual({ sent: 0, alreadyToday: 2 });
    const lea = await viewer(ids.get("lea")!);
    expect(await nudge(lea, ids.get("yul")!, "organisation")).toMatchObject({ status: "sent" });
    expect((await messagesTo(email("jon"))).map((m) => m.kind)).toEqual(["nudge"]);
    expect(
      await one(
        sql`select count(*) as n from audit_log where action = 'reminder.nudged' and subject like ${"%@nudge.example"}`,
      ),
    ).toEqual({ n: 3 });
  });
});

describe("exactly once, across crashes and processes", () => {
  test("a message claimed by a process that died is sent once its lease runs out", async () => {
    const { ids, email } = await organisation(
      "crash.example",
      [{ key: "cas", name: "Cas Crash" }],
      "2039-03-01",
    );
    at("2039-03-20");
    const start = Date.now();
    const letter = learnerLetter(
      { orgName: "Test", origin: ORIGIN },
      { name: "Cas" },
      "nudge",
      [{ courseSlug: "basics", courseTitle: "Basics", dueOn: "2039-03-31", daysLeft: 11 }],
      "Someone",
    );
    // What a claim writes, then nothing: the process is gone before it sent the message.
    const leaseUntil = new Date(start + 10 * 60_000).toISOString();
    const id = await insertMessage(
      {
        recipientId: ids.get("cas")!,
        channel: "learner",
        day: "2039-03-20",
        kind: "nudge",
        nudgedBy: null,
        subject: letter.subject,
        letter: JSON.stringify(letter),
        unsubscribeList: null,
      },
      nowIso(),
      leaseUntil,
    );
    await insertItems(id!, [], nowIso());
    vi.setSystemTime(start + 5 * 60_000);
    expect(await retryDueReminders()).toBe(0);
    vi.setSystemTime(start + 11 * 60_000);
    expect(await retryDueReminders()).toBe(1);
    expect(await retryDueReminders()).toBe(0);
    expect(await messagesTo(email("cas"))).toEqual([
      { kind: "nudge", day: "2039-03-20", status: "sent" },
    ]);
    expect(await listOutbox(email("cas"))).toHaveLength(1);
  });

  test("a dry run writes nothing; the scheduled job runs from the local hour, once a day", async () => {
    const { email, due } = await organisation(
      "job.example",
      [{ key: "jo", name: "Jo Job" }],
      "2045-03-01",
    );
    const count = async () =>
      ((await one(sql`select count(*) as n from reminder_messages`)) as { n: number }).n;
    at(addDays(due, -7));
    const before = await count();
    expect((await runReminders({ dryRun: true })).messages.map((m) => m.to)).toContain(email("jo"));
    expect(await count()).toBe(before);

    // 06:30 in London (GMT in March): before the default hour, 07:00.
    vi.setSystemTime(new Date(`${addDays(due, -7)}T06:30:00.000Z`));
    await runScheduledReminders();
    expect(await messagesTo(email("jo"))).toEqual([]);
    vi.setSystemTime(new Date(`${addDays(due, -7)}T07:05:00.000Z`));
    await runScheduledReminders();
    expect((await messagesTo(email("jo"))).map((m) => m.kind)).toEqual(["before_due"]);
    // Paused: the next day's run does not happen by itself.
    await saveSchedule(SYSTEM_ACTOR, { ...defaults, automatic: false });
    vi.setSystemTime(new Date(`${addDays(due, -1)}T08:00:00.000Z`));
    await runScheduledReminders();
    expect(await messagesTo(email("jo"))).toHaveLength(1);
  });
});

describe("the schedule", () => {
  test("changes are audited with what changed, and steps follow them", async () => {
    const actor = { id: null, label: "test admin" };
    expect(await saveSchedule(actor, { ...defaults, beforeDueDays: [14, 3], hour: 6 })).toBe(true);
    expect(await saveSchedule(actor, { ...defaults, beforeDueDays: [14, 3], hour: 6 })).toBe(false);
    const entry = (await one(
      sql`select actor, before, after from audit_log where action = 'reminders.schedule_changed' order by id desc limit 1`,
    )) as { actor: string; before: string; after: string };
    expect(entry.actor).toBe("test admin");
    expect(JSON.parse(entry.before)).toEqual({ hour: 7, beforeDueDays: [7, 1] });
    expect(JSON.parse(entry.after)).toEqual({ hour: 6, beforeDueDays: [14, 3] });
  });
});
