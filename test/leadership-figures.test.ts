// The figures leadership acts on, asserted exactly on an organisation built for them: every
// status once or more, two departments, a waiver, a late completion and a deactivated person.
import { beforeAll, expect, test, vi } from "vitest";
import { assignmentList } from "~/models/reports.server";
import { recomputeAssignments, waive } from "~/services/assignments.server";
import { setPersonStatus } from "~/services/people.server";
import { recordLessonOpened } from "~/services/progress.server";
import { leadershipReport, parseReportFilter, teamReport } from "~/services/reports.server";
import { basicsForEveryone } from "./helpers/basics-course";
import { migratedDatabase } from "./helpers/db";
import { seedPeople } from "./helpers/people";

const DAY = 24 * 60 * 60 * 1000;
const start = new Date("2026-01-05T10:00:00.000Z").getTime();
let summary: Awaited<ReturnType<typeof leadershipReport>>["summary"];
let ids: Map<string, number>;

beforeAll(async () => {
  await migratedDatabase();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(start);
  try {
    // One course for everyone, due in 30 days, so every figure below is one assignment a person.
    const { refs, finish: finishBasics } = await basicsForEveryone();
    ids = await seedPeople([
      { key: "boss", name: "Boss", dept: "Office", admin: true, leader: true },
      { key: "s1", name: "Sales One", dept: "Sales", manager: "boss" },
      { key: "s2", name: "Sales Two", dept: "Sales", manager: "boss" },
      { key: "s3", name: "Sales Three", dept: "Sales", manager: "boss" },
      { key: "s4", name: "Sales Four", dept: "Sales", manager: "boss" },
      { key: "s5", name: "Sales Five", dept: "Sales", manager: "boss" },
      { key: "o1", name: "Ops One", dept: "Ops", manager: "boss" },
      { key: "o2", name: "Ops Two", dept: "Ops", manager: "boss" },
      { key: "o3", name: "Ops Three", dept: "Ops", manager: "boss" },
      { key: "gone", name: "Gone Away", dept: "Ops", manager: "boss" },
    ]);
    await recomputeAssignments();
    const finish = (key: string) => finishBasics(ids.get(key)!);
    const assignmentOf = async (key: string) =>
      (await assignmentList(new Date().toISOString(), { userIds: [ids.get(key)!] }))[0]!;

    vi.setSystemTime(start + 10 * DAY);
    await finish("s1"); // on time
    await finish("o1"); // on time
    await recordLessonOpened(ids.get("s2")!, refs[0]!); // in progress, then overdue
    await waive(
      { id: ids.get("boss")!, label: "boss" },
      ids.get("s3")!,
      (await assignmentOf("s3")).assignmentId,
      "Trained elsewhere",
    );
    await finish("gone");
    await setPersonStatus({ id: ids.get("boss")!, label: "boss" }, ids.get("gone")!, "deactivated");
    vi.setSystemTime(start + 40 * DAY);
    await finish("s4"); // late
    // s5, o2, o3 and boss never start.
    vi.setSystemTime(start + 45 * DAY);
    summary = (await leadershipReport(parseReportFilter(new URLSearchParams()))).summary;
  } finally {
    vi.useRealTimers();
  }
});

test("completed by the due date: on time ÷ what came due, waivers and leavers left out", () => {
  // Came due: s1, o1 (on time), s4 (late), s2, s5, o2, o3, boss (overdue) = 8.
  expect(summary.onTime).toEqual({ done: 2, of: 8, percent: 25 });
});

test("overall completion and the overdue count", () => {
  // Assigned (current, not waived, active): 8; completed 3 (s1, o1, s4).
  expect(summary.completion).toEqual({ done: 3, of: 8, percent: 38 });
  expect(summary.overdue).toBe(5);
  expect(summary.notFinished).toBe(5);
  expect(summary.byStatus).toMatchObject({
    completed_on_time: 2,
    completed_late: 1,
    overdue: 5,
    waived: 1,
    in_progress: 0,
    not_started: 0,
    stale: 0,
  });
});

test("by department", () => {
  expect(summary.byDepartment).toEqual([
    { label: "Office", done: 0, of: 1, percent: 0 },
    { label: "Ops", done: 1, of: 3, percent: 33 },
    { label: "Sales", done: 2, of: 4, percent: 50 },
  ]);
});

test("a manager's team figures are the same arithmetic over their reports only", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(start + 45 * DAY);
  try {
    const boss = { id: ids.get("boss")!, email: "boss@test.example", name: "Boss" };
    const team = await teamReport(
      { ...boss, isAdmin: true, isLeader: true, isManager: true },
      parseReportFilter(new URLSearchParams()),
    );
    expect(team.summary.completion).toEqual({ done: 3, of: 7, percent: 43 });
    expect(team.summary.overdue).toBe(4);
  } finally {
    vi.useRealTimers();
  }
});
