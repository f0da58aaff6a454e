import { sql } from "kysely";
import { db } from "~/utils/db.server";
import type { ProgressStatus } from "~/utils/progress-status";

export interface ProgressFilter {
  courseSlug?: string;
  department?: string;
  /** Limit to these people (a manager's subtree). */
  userIds?: number[];
  onlyUnfinished?: boolean;
}

export interface ProgressRow {
  userId: number;
  email: string;
  name: string;
  department: string | null;
  managerName: string | null;
  managerEmail: string | null;
  courseSlug: string;
  courseTitle: string;
  status: ProgressStatus;
  lessonsCompleted: number;
  lessonCount: number;
  lastActivityAt: string | null;
  completedAt: string | null;
}

/**
 * Every active person × every published course, read from the summary rows only.
 * Until assignment rules exist, everyone is expected to complete every published course.
 */
export async function progressMatrix(filter: ProgressFilter = {}): Promise<ProgressRow[]> {
  if (filter.userIds && filter.userIds.length === 0) return [];
  let query = db
    .selectFrom("users as u")
    .innerJoin("courses as c", (join) => join.on("c.status", "=", "published"))
    .leftJoin("departments as d", "d.id", "u.department_id")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .leftJoin("course_progress as cp", (join) =>
      join.onRef("cp.user_id", "=", "u.id").onRef("cp.course_id", "=", "c.id"),
    )
    .select((eb) => [
      "u.id as userId",
      "u.email",
      "u.name",
      "d.name as department",
      "m.name as managerName",
      "m.email as managerEmail",
      "c.slug as courseSlug",
      "c.title as courseTitle",
      eb.fn.coalesce("cp.lessons_completed", sql<number>`0`).as("lessonsCompleted"),
      eb
        .selectFrom("lessons as l")
        .select((eb2) => eb2.fn.countAll<number>().as("n"))
        .whereRef("l.course_id", "=", "c.id")
        .where("l.status", "=", "published")
        .as("lessonCount"),
      "cp.started_at as startedAt",
      "cp.last_activity_at as lastActivityAt",
      "cp.completed_at as completedAt",
    ])
    .where("u.status", "=", "active");
  if (filter.courseSlug) query = query.where("c.slug", "=", filter.courseSlug);
  if (filter.department) query = query.where("d.name", "=", filter.department);
  if (filter.userIds) query = query.where("u.id", "in", filter.userIds);
  if (filter.onlyUnfinished) query = query.where("cp.completed_at", "is", null);
  const rows = await query.orderBy("c.sort_order").orderBy("u.name").orderBy("u.email").execute();
  return rows.map(({ startedAt, ...row }) => ({
    ...row,
    lessonsCompleted: Number(row.lessonsCompleted),
    lessonCount: Number(row.lessonCount ?? 0),
    status: row.completedAt ? "completed" : startedAt ? "in_progress" : "not_started",
  }));
}

export function notFinished(filter: Omit<ProgressFilter, "onlyUnfinished"> = {}) {
  return progressMatrix({ ...filter, onlyUnfinished: true });
}

export interface CourseSummary {
  courseSlug: string;
  courseTitle: string;
  people: number;
  completed: number;
  inProgress: number;
  notStarted: number;
}

/** Per published course: how many active people have completed, started or not opened it. */
export async function courseSummaries(): Promise<CourseSummary[]> {
  const rows = await db
    .selectFrom("courses as c")
    .innerJoin("users as u", (join) => join.on("u.status", "=", "active"))
    .leftJoin("course_progress as cp", (join) =>
      join.onRef("cp.user_id", "=", "u.id").onRef("cp.course_id", "=", "c.id"),
    )
    .select((eb) => [
      "c.slug as courseSlug",
      "c.title as courseTitle",
      eb.fn.countAll<number>().as("people"),
      eb.fn.count<number>("cp.completed_at").as("completed"),
      eb.fn.count<number>("cp.started_at").as("started"),
    ])
    .where("c.status", "=", "published")
    .groupBy(["c.id", "c.slug", "c.title", "c.sort_order"])
    .orderBy("c.sort_order")
    .execute();
  return rows.map((r) => {
    const people = Number(r.people);
    const completed = Number(r.completed);
    const started = Number(r.started);
    return {
      courseSlug: r.courseSlug,
      courseTitle: r.courseTitle,
      people,
      completed,
      inProgress: started - completed,
      notStarted: people - started,
    };
  });
}

export async function listDepartments(): Promise<string[]> {
  const rows = await db.selectFrom("departments").select("name").orderBy("name").execute();
  return rows.map((r) => r.name);
}
