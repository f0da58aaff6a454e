import { z } from "zod";
import {
  notFinished,
  progressMatrix,
  type ProgressFilter,
  type ProgressRow,
} from "~/models/reports.server";
import { reportIds } from "~/models/users.server";
import { toCsv, type CsvColumn } from "~/utils/csv.server";
import type { ProgressStatus } from "~/utils/progress-status";

/** A manager's direct and indirect reports, one row per person with a status per course. */
export async function teamOverview(managerId: number) {
  const rows = await progressMatrix({ userIds: await reportIds(managerId) });
  const courses = new Map<string, string>();
  const people = new Map<
    number,
    {
      name: string;
      email: string;
      department: string | null;
      managerName: string | null;
      courses: Record<string, ProgressRow>;
    }
  >();
  for (const row of rows) {
    courses.set(row.courseSlug, row.courseTitle);
    const person = people.get(row.userId) ?? {
      name: row.name,
      email: row.email,
      department: row.department,
      managerName: row.managerName,
      courses: {},
    };
    person.courses[row.courseSlug] = row;
    people.set(row.userId, person);
  }
  const list = [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    courses: [...courses].map(([slug, title]) => ({ slug, title })),
    people: list.map((p) => ({
      ...p,
      courses: Object.fromEntries(
        Object.entries(p.courses).map(([slug, r]) => [
          slug,
          { status: r.status, lessonsCompleted: r.lessonsCompleted, lessonCount: r.lessonCount },
        ]),
      ),
    })),
  };
}

export type UnfinishedStatus = Exclude<ProgressStatus, "completed">;

export interface NotFinishedFilter extends Omit<ProgressFilter, "onlyUnfinished"> {
  status?: UnfinishedStatus;
}

export async function notFinishedList(filter: NotFinishedFilter = {}) {
  const rows = await notFinished(filter);
  return filter.status ? rows.filter((r) => r.status === filter.status) : rows;
}

export const NOT_FINISHED_COLUMNS: CsvColumn<ProgressRow>[] = [
  { header: "email", value: (r) => r.email },
  { header: "name", value: (r) => r.name },
  { header: "department", value: (r) => r.department },
  { header: "manager_email", value: (r) => r.managerEmail },
  { header: "course", value: (r) => r.courseSlug },
  { header: "status", value: (r) => r.status },
  { header: "lessons_completed", value: (r) => r.lessonsCompleted },
  { header: "lessons_total", value: (r) => r.lessonCount },
  { header: "last_activity", value: (r) => r.lastActivityAt },
];

export function notFinishedCsv(rows: ProgressRow[]): string {
  return toCsv(rows, NOT_FINISHED_COLUMNS);
}

const FilterParams = z.object({
  course: z.string().max(100).optional(),
  department: z.string().max(200).optional(),
  status: z.enum(["not_started", "in_progress"]).optional(),
});

/** Filters from a query string; empty values mean "all". Bad values are a 400, not a silent default. */
export function parseNotFinishedFilter(params: URLSearchParams): NotFinishedFilter {
  const raw = Object.fromEntries([...params].filter(([, v]) => v !== ""));
  const parsed = FilterParams.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Response(`Bad filter "${issue?.path.join(".")}": ${issue?.message}`, { status: 400 });
  }
  const { course, department, status } = parsed.data;
  return { courseSlug: course, department, status };
}
