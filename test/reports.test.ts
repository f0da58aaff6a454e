import { expect, test } from "vitest";
import type { StatusCount } from "~/models/reports.server";
import { dueTerms } from "~/services/assignments.server";
import { addMonths } from "~/utils/calendar.server";
import { summarise } from "~/services/reports.server";

const count = (
  status: StatusCount["status"],
  n: number,
  more: Partial<StatusCount> = {},
): StatusCount => ({
  department: "Sales",
  courseSlug: "basics",
  courseTitle: "Basics",
  courseOrder: 1,
  isCurrent: true,
  status,
  n,
  ...more,
});

test("the headline figures: on time over what came due, completion over current cycles", () => {
  const summary = summarise([
    count("completed_on_time", 6),
    count("completed_late", 2),
    count("overdue", 2),
    count("in_progress", 5),
    count("not_started", 4),
    count("stale", 1),
    count("waived", 3),
    // An earlier cycle of a recurring course: counts for "on time", not for completion now.
    count("completed_on_time", 4, { isCurrent: false }),
    count("not_started", 2, {
      department: "Warehouse",
      courseSlug: "quizzed",
      courseTitle: "Quiz",
      courseOrder: 2,
    }),
  ]);
  // On time: 10 of (6 + 2 + 2 + 4) that came due.
  expect(summary.onTime).toEqual({ done: 10, of: 14, percent: 71 });
  // Completion: 8 of the 22 current, unwaived assignments.
  expect(summary.completion).toEqual({ done: 8, of: 22, percent: 36 });
  expect(summary.overdue).toBe(2);
  expect(summary.notFinished).toBe(14);
  expect(summary.byStatus.waived).toBe(3);
  expect(summary.byDepartment).toEqual([
    { label: "Sales", done: 8, of: 20, percent: 40 },
    { label: "Warehouse", done: 0, of: 2, percent: 0 },
  ]);
  expect(summary.byCourse.map((c) => [c.slug, c.percent])).toEqual([
    ["basics", 40],
    ["quizzed", 0],
  ]);
});

test("nothing assigned: no percentages rather than 0% or NaN", () => {
  const summary = summarise([]);
  expect(summary.onTime.percent).toBeNull();
  expect(summary.completion.percent).toBeNull();
  expect(summary.byCourse).toEqual([]);
});

test("dates: months clamp to the month's end; the due period counts from the later date", () => {
  expect(addMonths("2025-01-31", 1)).toBe("2025-02-28");
  expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
  expect(addMonths("2026-03-15", -12)).toBe("2025-03-15");
  expect(dueTerms("2026-01-10", "2026-02-01", 30)).toEqual({
    assignedOn: "2026-01-10",
    basisOn: "2026-02-01",
    dueDays: 30,
    dueOn: "2026-03-03",
    dueBefore: "2026-03-04T00:00:00.000Z",
  });
  expect(dueTerms("2026-01-10", "2020-05-01", 0).dueOn).toBe("2026-01-10");
});
