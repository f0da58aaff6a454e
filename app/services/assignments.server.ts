/**
 * Assignment rules → assignments. `recomputeAssignments()` brings the assignments table in line
 * with the rules, the roster and the published courses; call it after any of them changes.
 * It is idempotent: a second run with nothing changed writes nothing.
 */
import {
  closeCycle,
  deleteRule,
  findAssignmentChanges,
  getAssignment,
  inAssignmentsTransaction,
  insertAssignments,
  insertRule,
  findDepartmentId,
  recurrencePeriods,
  removeUncovered,
  restoreAssignments,
  setDueTerms,
  updateRule,
  waiveAssignment,
  type AssignmentChange,
  type AssignmentsTrx,
  type DueTerms,
  type NewAssignment,
  type RuleInput,
} from "~/models/assignments.server";
import { getCourseBySlug } from "~/models/courses.server";
import { reopenLessonsIn } from "~/models/progress.server";
import { findUserByEmail } from "~/models/users.server";
import { nowIso } from "~/utils/clock.server";

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic, in UTC days ("YYYY-MM-DD")

const DAY_MS = 24 * 60 * 60 * 1000;

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The same day of the month, `months` later (or earlier), clamped to the month's last day. */
export function addMonths(isoOrDay: string, months: number): string {
  const date = new Date(isoOrDay.length === 10 ? `${isoOrDay}T00:00:00.000Z` : isoOrDay);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.toISOString();
}

/** Due N days after the later of the day it applies from and (first cycle) the hire date. */
export function dueTerms(assignedOn: string, hiredOn: string | null, dueDays: number): DueTerms {
  const basisOn = hiredOn && hiredOn > assignedOn ? hiredOn : assignedOn;
  const dueOn = addDays(basisOn, dueDays);
  return { assignedOn, basisOn, dueDays, dueOn, dueBefore: `${addDays(dueOn, 1)}T00:00:00.000Z` };
}

// ---------------------------------------------------------------------------------------------
// Recompute

export interface RecomputeResult {
  /** New first cycles. */
  added: number;
  /** New cycles of recurring courses (the earlier cycle and its completion are kept). */
  renewed: number;
  /** Open cycles whose due date moved (rule or hire date changed) or that came back. */
  redated: number;
  /** Cycles no rule covers any more (the rows stay, out of the reports). */
  removed: number;
}

async function recomputeIn(trx: AssignmentsTrx): Promise<RecomputeResult> {
  const now = nowIso();
  const today = now.slice(0, 10);
  const periods = await recurrencePeriods(trx);
  const renewBefore = new Map(periods.map((months) => [months, addMonths(now, -months)]));
  const changes = await findAssignmentChanges(trx, renewBefore);

  const inserts: NewAssignment[] = [];
  // Updates grouped by their identical new terms, so that they run as a few set-based statements.
  const redates = new Map<string, { terms: DueTerms; ids: number[] }>();
  const restores: number[] = [];
  const result: RecomputeResult = { added: 0, renewed: 0, redated: 0, removed: 0 };

  const first = (change: AssignmentChange, terms: DueTerms): NewAssignment => ({
    user_id: change.userId,
    course_id: change.courseId,
    cycle: 1,
    is_current: 1,
    assigned_on: terms.assignedOn,
    basis_on: terms.basisOn,
    due_days: terms.dueDays,
    due_on: terms.dueOn,
    due_before: terms.dueBefore,
    department_id: change.departmentId,
    // Progress made before the assignment counts (the triggers keep these copies from now on).
    completed_at: change.progress?.completedAt ?? null,
    last_activity_at: change.progress?.lastActivityAt ?? null,
    lessons_completed: change.progress?.lessonsCompleted ?? 0,
    stale_since: change.progress?.staleSince ?? null,
  });

  for (const change of changes) {
    const { current, recurMonths } = change;
    const completedAt = change.progress?.completedAt ?? null;
    if (!current) {
      inserts.push(first(change, dueTerms(today, change.hiredOn, change.dueDays)));
      result.added++;
      continue;
    }
    const renewAt = recurMonths && completedAt ? renewBefore.get(recurMonths) : undefined;
    if (renewAt && completedAt && completedAt <= renewAt && !current.waived) {
      // A recurring course completed a period ago: a new cycle from the anniversary. The new row
      // is current before the lessons re-open, so that the triggers copy the re-opened progress.
      await closeCycle(trx, current.id);
      const anniversary = addMonths(completedAt, recurMonths!).slice(0, 10);
      await insertAssignments(trx, [
        {
          ...first(change, dueTerms(anniversary, null, change.dueDays)),
          cycle: current.cycle + 1,
          cycle_started_at: now,
          completed_at: null,
        },
      ]);
      await reopenLessonsIn(trx, change.userId, change.courseId, "all", "new_cycle");
      result.renewed++;
      continue;
    }
    if (current.removed && (completedAt || current.waived)) {
      restores.push(current.id);
      result.redated++;
      continue;
    }
    // Open: a changed due period or hire date, or assigned again after removal (from today).
    const assignedOn = current.removed ? today : current.assignedOn;
    const terms = dueTerms(assignedOn, current.cycle === 1 ? change.hiredOn : null, change.dueDays);
    if (
      !current.removed &&
      terms.basisOn === current.basisOn &&
      terms.dueDays === current.dueDays
    ) {
      continue;
    }
    const key = `${terms.assignedOn}|${terms.basisOn}|${terms.dueDays}`;
    const group = redates.get(key) ?? { terms, ids: [] };
    group.ids.push(current.id);
    redates.set(key, group);
    result.redated++;
  }

  await insertAssignments(trx, inserts);
  await restoreAssignments(trx, restores);
  for (const { terms, ids } of redates.values()) await setDueTerms(trx, ids, terms);
  result.removed = await removeUncovered(trx, now);
  return result;
}

let queue: Promise<unknown> = Promise.resolve();

/** One recompute at a time, each in its own transaction. */
function serially<T>(work: () => Promise<T>): Promise<T> {
  const promise = queue.then(work, work);
  queue = promise.then(
    () => undefined,
    () => undefined,
  );
  return promise;
}

/**
 * Brings the assignments in line with the rules, the active roster and the published courses,
 * in one transaction. Idempotent; call it after any roster, rule or course change.
 */
export function recomputeAssignments(): Promise<RecomputeResult> {
  return serially(() => inAssignmentsTransaction(recomputeIn));
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Recurring courses come due as time passes, not only when something changes: recompute hourly
 * while the server runs. The timer never keeps the process alive.
 */
export function scheduleAssignmentRecompute(): void {
  setInterval(() => {
    recomputeAssignments().catch((error: unknown) =>
      console.error("Recomputing assignments failed:", error),
    );
  }, HOUR_MS).unref();
}

// ---------------------------------------------------------------------------------------------
// Rule changes: the rule and its consequences land together

export function createRule(input: RuleInput): Promise<number> {
  return serially(() =>
    inAssignmentsTransaction(async (trx) => {
      const id = await insertRule(trx, input, nowIso());
      await recomputeIn(trx);
      return id;
    }),
  );
}

/** False when the rule does not exist. */
export function changeRule(id: number, input: RuleInput): Promise<boolean> {
  return serially(() =>
    inAssignmentsTransaction(async (trx) => {
      if (!(await updateRule(trx, id, input, nowIso()))) return false;
      await recomputeIn(trx);
      return true;
    }),
  );
}

/** False when the rule does not exist. */
export function removeRule(id: number): Promise<boolean> {
  return serially(() =>
    inAssignmentsTransaction(async (trx) => {
      if (!(await deleteRule(trx, id))) return false;
      await recomputeIn(trx);
      return true;
    }),
  );
}

/**
 * Waives a person's current cycle of a course, with a reason. 404 for an assignment that is not
 * this person's current one, so that an edited id reaches nothing.
 */
export async function waive(
  personId: number,
  assignmentId: number,
  reason: string,
  byUserId: number,
): Promise<void> {
  const assignment = await getAssignment(assignmentId);
  if (!assignment || assignment.userId !== personId || assignment.isCurrent !== 1) {
    throw new Response("No such assignment for this person.", { status: 404 });
  }
  await waiveAssignment(assignment, reason, byUserId, nowIso());
}

// ---------------------------------------------------------------------------------------------
// The rule form: names and emails → ids, every problem reported against its field

export interface RuleFormValues {
  /** A course slug; empty for every published course. */
  course: string;
  audience: RuleInput["audience"];
  department?: string;
  role?: "admin" | "leader";
  /** Emails, one per line (commas and semicolons work too). */
  people?: string;
  dueDays: number;
  recurMonths?: number;
}

export type RuleFormErrors = Partial<Record<keyof RuleFormValues, string>>;

export async function resolveRuleForm(
  values: RuleFormValues,
): Promise<
  { input: RuleInput; errors?: undefined } | { input?: undefined; errors: RuleFormErrors }
> {
  const errors: RuleFormErrors = {};
  let courseId: number | null = null;
  if (values.course) {
    const course = await getCourseBySlug(values.course);
    if (course) courseId = course.id;
    else errors.course = `There is no published course "${values.course}".`;
  }
  let departmentId: number | null = null;
  if (values.audience === "department") {
    departmentId = (values.department && (await findDepartmentId(values.department))) || null;
    if (departmentId === null) errors.department = "Choose a department.";
  }
  if (values.audience === "role" && !values.role) errors.role = "Choose admin or leader.";
  const personIds: number[] = [];
  if (values.audience === "people") {
    const lines = (values.people ?? "").split(/\r?\n/);
    const problems: string[] = [];
    for (const [index, line] of lines.entries()) {
      for (const email of line
        .split(/[,;]/)
        .map((e) => e.trim())
        .filter(Boolean)) {
        const person = await findUserByEmail(email);
        if (person) personIds.push(person.id);
        else problems.push(`line ${index + 1}: nobody has the email ${email}`);
      }
    }
    if (problems.length > 0) errors.people = `Unknown people (${problems.join("; ")}).`;
    else if (personIds.length === 0) errors.people = "Name at least one person, by email.";
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      courseId,
      audience: values.audience,
      departmentId,
      role: values.audience === "role" ? values.role! : null,
      personIds,
      dueDays: values.dueDays,
      recurMonths: values.recurMonths ?? null,
    },
  };
}
