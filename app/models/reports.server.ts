/**
 * Report reads. They read the assignments table (which carries copies of each person's summary
 * row, department and status; see migration 0004), never the event log, so that figures and
 * pages are index scans: fast for 10,000 people. "Overdue" is decided here, against `now`.
 */
import type { ExpressionBuilder } from "kysely";
import type { Database } from "#db/schema";
import { dayOf } from "~/utils/calendar.server";
import { db } from "~/utils/db.server";
import { UNFINISHED_STATUSES, type AssignmentStatus } from "~/utils/progress-status";

export interface AssignmentFilter {
  courseSlug?: string;
  department?: string;
  /** Limit to these people (a manager's subtree, one person). */
  userIds?: number[];
  statuses?: readonly AssignmentStatus[];
  /** Also earlier cycles, removed assignments and deactivated people (a person's history). */
  history?: boolean;
}

export interface AssignmentRow {
  assignmentId: number;
  userId: number;
  email: string;
  name: string;
  department: string | null;
  managerName: string | null;
  managerEmail: string | null;
  courseSlug: string;
  courseTitle: string;
  cycle: number;
  isCurrent: boolean;
  removed: boolean;
  status: AssignmentStatus;
  dueOn: string;
  completedAt: string | null;
  /** The organisation's day of the completion and of the last activity (for pages and CSVs). */
  completedOn: string | null;
  lessonsCompleted: number;
  lessonCount: number;
  lastActivityAt: string | null;
  lastActivityOn: string | null;
  waivedReason: string | null;
}

type Eb = ExpressionBuilder<Database & { a: Database["assignments"] }, "a">;

/** An open cycle past its due date is overdue (a stale one stays "stale"). */
function overdue(eb: Eb, now: string) {
  return eb.and([
    eb("a.open", "=", 1),
    eb("a.state", "!=", "stale"),
    eb("a.due_before", "<=", now),
  ]);
}

function statusOf(eb: Eb, now: string) {
  return eb
    .case()
    .when(overdue(eb, now))
    .then("overdue" as AssignmentStatus)
    .else(eb.ref("a.state"))
    .end()
    .$castTo<AssignmentStatus>();
}

function hasStatus(eb: Eb, status: AssignmentStatus, now: string) {
  if (status === "overdue") return overdue(eb, now);
  if (status === "in_progress" || status === "not_started") {
    return eb.and([eb("a.state", "=", status), eb("a.due_before", ">", now)]);
  }
  return eb("a.state", "=", status);
}

interface CourseInfo {
  slug: string;
  title: string;
  order: number;
  lessonCount: number;
}

/** Published courses by id; `archived` lists the others, whose assignments reports leave out. */
async function courseInfo(): Promise<Map<number, CourseInfo> & { archived: number[] }> {
  const rows = await db
    .selectFrom("courses as c")
    .leftJoin("lessons as l", (join) =>
      join.onRef("l.course_id", "=", "c.id").on("l.status", "=", "published"),
    )
    .select((eb) => [
      "c.id",
      "c.slug",
      "c.title",
      "c.sort_order",
      "c.status",
      eb.fn.count<number>("l.id").as("lessons"),
    ])
    .groupBy(["c.id", "c.slug", "c.title", "c.sort_order", "c.status"])
    .execute();
  const published = rows.filter((r) => r.status === "published");
  return Object.assign(
    new Map(
      published.map((r) => [
        r.id,
        { slug: r.slug, title: r.title, order: r.sort_order, lessonCount: Number(r.lessons) },
      ]),
    ),
    { archived: rows.filter((r) => r.status !== "published").map((r) => r.id) },
  );
}

async function departmentId(name: string): Promise<number | null> {
  const row = await db
    .selectFrom("departments")
    .select("id")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The filter as conditions on `assignments` alone; null when it cannot match anything. */
async function conditions(
  filter: AssignmentFilter,
  courses: Awaited<ReturnType<typeof courseInfo>>,
  now: string,
) {
  if (filter.userIds?.length === 0 || filter.statuses?.length === 0) return null;
  let courseId: number | undefined;
  if (filter.courseSlug) {
    courseId = [...courses].find(([, c]) => c.slug === filter.courseSlug)?.[0];
    if (courseId === undefined) return null;
  }
  let department: number | null | undefined;
  if (filter.department) {
    department = await departmentId(filter.department);
    if (department === null) return null;
  }
  return (eb: Eb) => {
    const all = [];
    if (courses.archived.length > 0) all.push(eb("a.course_id", "not in", courses.archived));
    if (!filter.history) {
      all.push(
        eb("a.user_active", "=", 1),
        eb("a.removed_at", "is", null),
        eb("a.is_current", "=", 1),
      );
    }
    if (courseId !== undefined) all.push(eb("a.course_id", "=", courseId));
    if (department !== undefined) all.push(eb("a.department_id", "=", department));
    if (filter.userIds) all.push(eb("a.user_id", "in", filter.userIds));
    const statuses = filter.statuses;
    if (
      statuses &&
      UNFINISHED_STATUSES.every((s) => statuses.includes(s)) &&
      statuses.length === 4
    ) {
      all.push(eb("a.open", "=", 1));
    } else if (statuses) {
      all.push(eb.or(statuses.map((s) => hasStatus(eb, s, now))));
    }
    return eb.and(all);
  };
}

function assignmentColumns(now: string) {
  return (eb: Eb) =>
    [
      "a.id as assignmentId",
      "a.user_id as userId",
      "a.course_id as courseId",
      "a.cycle",
      "a.is_current as isCurrent",
      "a.removed_at as removedAt",
      statusOf(eb, now).as("status"),
      "a.due_on as dueOn",
      "a.completed_at as completedAt",
      "a.lessons_completed as lessonsCompleted",
      "a.last_activity_at as lastActivityAt",
      "a.waived_reason as waivedReason",
    ] as const;
}

/** Name, email, department and manager of these people. */
async function peopleById(ids: number[]) {
  const unique = [...new Set(ids)];
  const rows =
    unique.length === 0
      ? []
      : await db
          .selectFrom("users as u")
          .leftJoin("departments as d", "d.id", "u.department_id")
          .leftJoin("users as m", "m.id", "u.manager_id")
          .select([
            "u.id",
            "u.name",
            "u.email",
            "d.name as department",
            "m.name as managerName",
            "m.email as managerEmail",
          ])
          .where("u.id", "in", unique)
          .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

type RawRow = {
  assignmentId: number;
  userId: number;
  courseId: number;
  cycle: number;
  isCurrent: number;
  removedAt: string | null;
  status: AssignmentStatus;
  dueOn: string;
  completedAt: string | null;
  lessonsCompleted: number;
  lessonCount?: number;
  lastActivityAt: string | null;
  waivedReason: string | null;
};

async function withPeople(raw: RawRow[], courses: Map<number, CourseInfo>) {
  const people = await peopleById(raw.map((r) => r.userId));
  return raw.map((r): AssignmentRow => {
    const person = people.get(r.userId)!;
    const course = courses.get(r.courseId)!;
    return {
      assignmentId: r.assignmentId,
      userId: r.userId,
      email: person.email,
      name: person.name,
      department: person.department,
      managerName: person.managerName,
      managerEmail: person.managerEmail,
      courseSlug: course.slug,
      courseTitle: course.title,
      cycle: r.cycle,
      isCurrent: r.isCurrent === 1,
      removed: r.removedAt !== null,
      status: r.status,
      dueOn: r.dueOn,
      completedAt: r.completedAt,
      completedOn: r.completedAt ? dayOf(r.completedAt) : null,
      lessonsCompleted: Number(r.lessonsCompleted),
      lessonCount: course.lessonCount,
      lastActivityAt: r.lastActivityAt,
      lastActivityOn: r.lastActivityAt ? dayOf(r.lastActivityAt) : null,
      waivedReason: r.waivedReason,
    };
  });
}

/**
 * One page of assignments: what is still to do first, most overdue first (by due date), then
 * what is done. Without `limit`: all of them.
 */
export async function assignmentPage(
  now: string,
  filter: AssignmentFilter,
  page: { offset: number; limit?: number },
): Promise<{ rows: AssignmentRow[]; total: number }> {
  const courses = await courseInfo();
  const where = await conditions(filter, courses, now);
  if (!where) return { rows: [], total: 0 };
  let query = db
    .selectFrom("assignments as a")
    .select(assignmentColumns(now))
    .where(where)
    .orderBy("a.open", "desc")
    .orderBy("a.due_on")
    .orderBy("a.user_id")
    .orderBy("a.course_id")
    .orderBy("a.cycle", "desc");
  if (page.limit !== undefined) query = query.limit(page.limit).offset(page.offset);
  const raw = await query.execute();
  const total =
    page.offset === 0 && (page.limit === undefined || raw.length < page.limit)
      ? raw.length
      : Number(
          (
            await db
              .selectFrom("assignments as a")
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .where(where)
              .executeTakeFirstOrThrow()
          ).n,
        );
  return { rows: await withPeople(raw, courses), total };
}

/** Every matching assignment, in the page order: for small scopes (one person, the CLI). */
export async function assignmentList(now: string, filter: AssignmentFilter) {
  const { rows } = await assignmentPage(now, filter, { offset: 0 });
  return rows;
}

/**
 * Every matching assignment of active people, in roster order (then course order), read
 * `people` at a time: exports hold no read open (nor the WAL back) between chunks, and memory
 * stays flat however large the organisation.
 */
export async function* assignmentChunks(
  now: string,
  filter: AssignmentFilter,
  people: number,
): AsyncGenerator<AssignmentRow[]> {
  const courses = await courseInfo();
  const where = await conditions(filter, courses, now);
  if (!where) return;
  let after = 0;
  for (;;) {
    let query = db
      .selectFrom("users")
      .select("id")
      .where("status", "=", "active")
      .where("id", ">", after)
      .orderBy("id")
      .limit(people);
    if (filter.userIds) query = query.where("id", "in", filter.userIds);
    const ids = (await query.execute()).map((p) => p.id);
    if (ids.length === 0) return;
    const raw = await db
      .selectFrom("assignments as a")
      .select(assignmentColumns(now))
      .where(where)
      .where("a.user_id", "in", ids)
      .execute();
    raw.sort(
      (x, y) =>
        x.userId - y.userId ||
        courses.get(x.courseId)!.order - courses.get(y.courseId)!.order ||
        x.courseId - y.courseId ||
        y.cycle - x.cycle,
    );
    yield await withPeople(raw, courses);
    if (ids.length < people) return;
    after = ids[ids.length - 1]!;
  }
}

export interface StatusCount {
  department: string | null;
  courseSlug: string;
  courseTitle: string;
  courseOrder: number;
  isCurrent: boolean;
  status: AssignmentStatus;
  n: number;
}

/**
 * Counts by department × course × status, current and earlier cycles, of active people: enough
 * for every headline figure and chart, from one scan of a covering index.
 */
export async function statusCounts(
  now: string,
  filter: Pick<AssignmentFilter, "userIds"> = {},
): Promise<StatusCount[]> {
  if (filter.userIds?.length === 0) return [];
  const [courses, departments] = await Promise.all([
    courseInfo(),
    db.selectFrom("departments").select(["id", "name"]).execute(),
  ]);
  let query = db
    .selectFrom("assignments as a")
    .select((eb) => [
      "a.course_id",
      "a.department_id",
      "a.is_current",
      "a.state",
      eb.fn.sum<number>(eb.case().when("a.due_before", "<=", now).then(1).else(0).end()).as("due"),
      eb.fn.countAll<number>().as("n"),
    ])
    .where("a.user_active", "=", 1)
    .where("a.removed_at", "is", null)
    .groupBy(["a.course_id", "a.department_id", "a.is_current", "a.state"]);
  if (filter.userIds) query = query.where("a.user_id", "in", filter.userIds);
  const rows = await query.execute();
  const departmentName = new Map(departments.map((d) => [d.id, d.name]));
  const out: StatusCount[] = [];
  for (const r of rows) {
    const course = courses.get(r.course_id);
    if (!course) continue;
    const base = {
      department: r.department_id === null ? null : (departmentName.get(r.department_id) ?? null),
      courseSlug: course.slug,
      courseTitle: course.title,
      courseOrder: course.order,
      isCurrent: r.is_current === 1,
    };
    const n = Number(r.n);
    const due = Number(r.due);
    if (r.state === "in_progress" || r.state === "not_started") {
      if (due > 0) out.push({ ...base, status: "overdue", n: due });
      if (n > due) out.push({ ...base, status: r.state, n: n - due });
    } else {
      out.push({ ...base, status: r.state, n });
    }
  }
  return out;
}
