import { listDepartmentNames } from "~/models/departments.server";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { listPublishedCourses } from "~/models/courses.server";
import {
  assignmentChunks,
  assignmentList,
  assignmentPage,
  statusCounts,
  type AssignmentFilter,
  type AssignmentRow,
  type StatusCount,
} from "~/models/reports.server";
import {
  canViewPerson,
  findUserByEmail,
  getRosterPerson,
  listManagerChoices,
  reportIds,
  type Viewer,
} from "~/models/users.server";
import { dayOf, today } from "~/utils/calendar.server";
import { nowIso } from "~/utils/clock.server";
import { dataVersion } from "~/utils/db.server";
import { giveWay } from "~/utils/event-loop.server";
import { invalid, notAllowed, notFound } from "~/utils/domain-errors.server";
import { neutralizeCell, toCsv, type CsvColumn } from "~/utils/csv.server";
import {
  ASSIGNMENT_STATUSES,
  UNFINISHED_STATUSES,
  type AssignmentStatus,
} from "~/utils/progress-status";

export const PAGE_SIZE = 50;
/**
 * People per read while exporting: each read and its CSV take a few milliseconds, so that the WAL
 * can be checkpointed between reads and other requests are served between chunks.
 */
export const EXPORT_CHUNK = 200;

// ---------------------------------------------------------------------------------------------
// Filters from a query string

export interface ReportFilter {
  courseSlug?: string;
  department?: string;
  /** A manager's whole team (direct and indirect reports). */
  managerEmail?: string;
  status?: AssignmentStatus;
  page: number;
}

const FilterParams = z.object({
  course: z.string().max(100).optional(),
  department: z.string().max(200).optional(),
  manager: z.string().max(254).optional(),
  status: z.enum(ASSIGNMENT_STATUSES).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

/**
 * Filters from a query string; empty values mean "all". Bad values are a 400 naming the
 * parameter, not a silent default. `statuses` are the ones this report can show.
 */
export function parseReportFilter(
  params: URLSearchParams,
  statuses: readonly AssignmentStatus[] = ASSIGNMENT_STATUSES,
): ReportFilter {
  const raw = Object.fromEntries([...params].filter(([, v]) => v !== ""));
  const parsed = FilterParams.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`Bad filter "${issue?.path.join(".")}": ${issue?.message}`);
  }
  const { course, department, manager, status, page } = parsed.data;
  if (status && !statuses.includes(status)) {
    throw invalid(`Bad filter "status": this report shows ${statuses.join(", ")}.`);
  }
  return { courseSlug: course, department, managerEmail: manager, status, page: page ?? 1 };
}

async function managerId(email: string): Promise<number> {
  const manager = await findUserByEmail(email);
  if (!manager) throw invalid(`Bad filter "manager": nobody has the email ${email}.`);
  return manager.id;
}

/** The same answer for an unknown email and for someone outside the team: neither is revealed. */
const notInTeam = () => notAllowed("That person is not in your team.");

/** The model filter for the whole organisation (leaders, CLI). */
async function organisationFilter(
  filter: Omit<ReportFilter, "page">,
  defaultStatuses: readonly AssignmentStatus[],
): Promise<AssignmentFilter> {
  return {
    courseSlug: filter.courseSlug,
    department: filter.department,
    userIds: filter.managerEmail
      ? await reportIds(await managerId(filter.managerEmail))
      : undefined,
    statuses: filter.status ? [filter.status] : defaultStatuses,
  };
}

/**
 * The model filter for a manager: their subtree, or a sub-team inside it. A manager outside the
 * viewer's subtree, or nobody at all, is the same 403, so that an edited parameter reaches nobody
 * else's team and does not tell who is on the roster.
 */
async function teamFilter(viewer: Viewer, filter: Omit<ReportFilter, "page">) {
  const team = await reportIds(viewer.id);
  let userIds = team;
  if (filter.managerEmail) {
    const id = (await findUserByEmail(filter.managerEmail))?.id;
    if (id !== viewer.id) {
      if (id === undefined || !team.includes(id)) throw notInTeam();
      userIds = await reportIds(id);
    }
  }
  return {
    team,
    filter: {
      courseSlug: filter.courseSlug,
      userIds,
      statuses: filter.status ? [filter.status] : undefined,
    } satisfies AssignmentFilter,
  };
}

// ---------------------------------------------------------------------------------------------
// Figures

export interface Share {
  done: number;
  of: number;
  /** Whole per cent, null when there is nothing to measure. */
  percent: number | null;
}

const share = (done: number, of: number): Share => ({
  done,
  of,
  percent: of === 0 ? null : Math.round((done / of) * 100),
});

const isCompleted = (s: AssignmentStatus) => s === "completed_on_time" || s === "completed_late";

export interface Summary {
  /** Of the assignments that came due (completed, or past their due date): done by the due date. */
  onTime: Share;
  /** Current cycles, waivers left out: completed. */
  completion: Share;
  overdue: number;
  notFinished: number;
  byStatus: Record<AssignmentStatus, number>;
  byDepartment: ({ label: string } & Share)[];
  byCourse: ({ label: string; slug: string } & Share)[];
}

export function summarise(counts: StatusCount[]): Summary {
  const byStatus = Object.fromEntries(ASSIGNMENT_STATUSES.map((s) => [s, 0])) as Record<
    AssignmentStatus,
    number
  >;
  let onTime = 0;
  let cameDue = 0;
  const groups = {
    department: new Map<string, { done: number; of: number }>(),
    course: new Map<string, { done: number; of: number; title: string; order: number }>(),
  };
  for (const c of counts) {
    if (c.status === "completed_on_time") onTime += c.n;
    if (isCompleted(c.status) || c.status === "overdue") cameDue += c.n;
    if (!c.isCurrent) continue;
    byStatus[c.status] += c.n;
    if (c.status === "waived") continue;
    const done = isCompleted(c.status) ? c.n : 0;
    const dept = groups.department.get(c.department ?? "") ?? { done: 0, of: 0 };
    groups.department.set(c.department ?? "", { done: dept.done + done, of: dept.of + c.n });
    const course = groups.course.get(c.courseSlug) ?? {
      done: 0,
      of: 0,
      title: c.courseTitle,
      order: c.courseOrder,
    };
    groups.course.set(c.courseSlug, { ...course, done: course.done + done, of: course.of + c.n });
  }
  const completed = byStatus.completed_on_time + byStatus.completed_late;
  const assigned = ASSIGNMENT_STATUSES.reduce((n, s) => n + byStatus[s], 0) - byStatus.waived;
  return {
    onTime: share(onTime, cameDue),
    completion: share(completed, assigned),
    overdue: byStatus.overdue,
    notFinished: UNFINISHED_STATUSES.reduce((n, s) => n + byStatus[s], 0),
    byStatus,
    byDepartment: [...groups.department]
      .map(([label, g]) => ({ label: label || "No department", ...share(g.done, g.of) }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    byCourse: [...groups.course]
      .sort(([, a], [, b]) => a.order - b.order)
      .map(([slug, g]) => ({ label: g.title, slug, ...share(g.done, g.of) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

const pageOf = (filter: ReportFilter) => ({
  offset: (filter.page - 1) * PAGE_SIZE,
  limit: PAGE_SIZE,
});

let organisationCounts: { key: string; counts: Promise<StatusCount[]> } | undefined;

/**
 * The organisation-wide figures, worked out again only when something has been written (by any
 * process) or the day has turned: every due instant is a local midnight, so within one day and
 * one state of the data they cannot change, and leaders reload the report far more often than
 * either happens. On PostgreSQL, which has no commit counter, they are worked out every time.
 */
function organisationStatusCounts(now: string): Promise<StatusCount[]> {
  const version = dataVersion();
  if (version === null) return statusCounts(now);
  const key = `${version} ${dayOf(now)}`;
  if (organisationCounts?.key !== key) {
    const counts = statusCounts(now);
    organisationCounts = { key, counts };
    counts.catch(() => {
      if (organisationCounts?.counts === counts) organisationCounts = undefined;
    });
  }
  return organisationCounts.counts;
}

/** Leadership: organisation-wide figures and one page of the not-finished list. */
export async function leadershipReport(filter: ReportFilter) {
  const now = nowIso();
  const counts = await organisationStatusCounts(now);
  const list = await assignmentPage(
    now,
    await organisationFilter(filter, UNFINISHED_STATUSES),
    pageOf(filter),
  );
  const [courses, departments, managers] = await Promise.all([
    listPublishedCourses(),
    listDepartmentNames(),
    listManagerChoices(),
  ]);
  return {
    summary: summarise(counts),
    list: { ...list, page: filter.page, pageSize: PAGE_SIZE },
    options: {
      courses: courses.map((c) => ({ slug: c.slug, title: c.title })),
      departments,
      managers,
    },
  };
}

/**
 * A manager's team: figures for the whole team, and one page of its assignments (optionally of
 * the sub-team under one of its managers).
 */
export async function teamReport(viewer: Viewer, filter: ReportFilter) {
  const now = nowIso();
  const { team, filter: scoped } = await teamFilter(viewer, filter);
  const counts = await statusCounts(now, { userIds: team });
  const list = await assignmentPage(now, scoped, pageOf(filter));
  const courses = await listPublishedCourses();
  return {
    people: team.length,
    summary: summarise(counts),
    list: { ...list, page: filter.page, pageSize: PAGE_SIZE },
    options: { courses: courses.map((c) => ({ slug: c.slug, title: c.title })) },
  };
}

/**
 * One person's assignments, current and earlier, for anyone allowed to see them (else 404): only
 * what the person page shows, so that `.data` tells a manager no more than the page does.
 */
export async function personReport(viewer: Viewer, personId: number) {
  const person = await getRosterPerson(personId);
  if (!person || !(await canViewPerson(viewer, personId))) {
    throw notFound("No such person.");
  }
  const rows = await assignmentList(nowIso(), { userIds: [personId], history: true });
  return {
    person: {
      name: person.name,
      title: person.title,
      department: person.department,
      managerName: person.managerName,
      hiredOn: person.hiredOn,
      deactivated: person.status === "deactivated",
    },
    rows: rows.map((r) => ({
      assignmentId: r.assignmentId,
      courseTitle: r.courseTitle,
      cycle: r.cycle,
      isCurrent: r.isCurrent,
      removed: r.removed,
      status: r.status,
      waivedReason: r.waivedReason,
      dueOn: r.dueOn,
      completedOn: r.completedOn,
      lessonsCompleted: r.lessonsCompleted,
      lessonCount: r.lessonCount,
      lastActivityOn: r.lastActivityOn,
    })),
    canWaive: viewer.isAdmin,
  };
}

/** The not-finished list in full (the CLI); `overdue` keeps only what is past its due date. */
export async function notFinishedList(
  filter: Omit<ReportFilter, "page" | "status"> & { overdue?: boolean },
): Promise<AssignmentRow[]> {
  return assignmentList(
    nowIso(),
    await organisationFilter(filter, filter.overdue ? ["overdue"] : UNFINISHED_STATUSES),
  );
}

// ---------------------------------------------------------------------------------------------
// CSV

/** Who, which course, its status and due date: the columns every assignment CSV starts with. */
const ASSIGNMENT_COLUMNS: CsvColumn<AssignmentRow>[] = [
  { header: "email", value: (r) => r.email },
  { header: "name", value: (r) => r.name },
  { header: "department", value: (r) => r.department },
  { header: "manager_email", value: (r) => r.managerEmail },
  { header: "course", value: (r) => r.courseSlug },
  { header: "status", value: (r) => r.status },
  { header: "due_date", value: (r) => r.dueOn },
];

export const NOT_FINISHED_COLUMNS: CsvColumn<AssignmentRow>[] = [
  ...ASSIGNMENT_COLUMNS,
  { header: "lessons_completed", value: (r) => r.lessonsCompleted },
  { header: "lessons_total", value: (r) => r.lessonCount },
  { header: "last_activity", value: (r) => r.lastActivityAt },
];

export const MATRIX_COLUMNS: CsvColumn<AssignmentRow>[] = [
  ...ASSIGNMENT_COLUMNS,
  { header: "completed_date", value: (r) => r.completedOn },
];

export function notFinishedCsv(rows: AssignmentRow[]): string {
  return toCsv(rows, NOT_FINISHED_COLUMNS);
}

/**
 * A CSV of every matching assignment in roster order, read a chunk at a time as the client takes
 * it: memory stays flat and no read holds the database (or the WAL) for the whole download.
 */
function csvStream(filter: AssignmentFilter, columns: CsvColumn<AssignmentRow>[]) {
  const encoder = new TextEncoder();
  const chunks = assignmentChunks(nowIso(), filter, EXPORT_CHUNK);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Each chunk is a little work between turns of the event loop (see event-loop.server.ts).
      await giveWay();
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(toCsv([], columns)));
        return;
      }
      const next = await chunks.next();
      if (next.done) return controller.close();
      const cells = next.value.map((row) => columns.map((c) => neutralizeCell(c.value(row))));
      controller.enqueue(encoder.encode(stringify(cells)));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

export type CsvExport = "not-finished" | "matrix" | "team";

/** A streamed CSV export, with its file name: the leadership exports and a manager's team export. */
export async function csvExport(kind: CsvExport, filter: ReportFilter, viewer: Viewer) {
  const scoped =
    kind === "team"
      ? (await teamFilter(viewer, filter)).filter
      : await organisationFilter(
          filter,
          kind === "matrix" ? ASSIGNMENT_STATUSES : UNFINISHED_STATUSES,
        );
  const columns = kind === "not-finished" ? NOT_FINISHED_COLUMNS : MATRIX_COLUMNS;
  return { stream: csvStream(scoped, columns), fileName: `${kind}-${today()}.csv` };
}
