/**
 * Assignment rules → assignments. `recomputeAssignments()` brings the assignments table in line
 * with the rules, the roster and the published courses; call it after any of them changes.
 * It is idempotent: a second run with nothing changed writes nothing.
 */
import { appendAudit, type Actor } from "~/models/audit.server";
import {
  closeCycle,
  deleteRule,
  findAssignmentChanges,
  getAssignment,
  getRule,
  insertAssignments,
  insertRule,
  peopleSlices,
  recurrencePeriods,
  redateDueInstants,
  removeUncovered,
  restoreAssignments,
  setDueTerms,
  setWaived,
  updateRule,
  type AssignmentChange,
  type DueTerms,
  type NewAssignment,
  type RuleInput,
} from "~/models/assignments.server";
import { getCourseBySlug } from "~/models/courses.server";
import { findDepartmentId } from "~/models/departments.server";
import { appendEvents } from "~/models/progress.server";
import { getSetting, putSetting } from "~/models/settings.server";
import { findUserByEmail, getRosterPerson } from "~/models/users.server";
import {
  addDays,
  addMonths,
  dayOf,
  dueBefore,
  monthsBefore,
  orgTimeZone,
  today,
} from "~/utils/calendar.server";
import { nowIso } from "~/utils/clock.server";
import { exclusively, writeTransaction } from "~/utils/db.server";
import { notFound } from "~/utils/domain-errors.server";
import { reopenLessons } from "./progress.server";

/**
 * Due N days after the later of the day it applies from and (first cycle) the hire date; on
 * time until the end of the due day in the organisation's time zone.
 */
export function dueTerms(assignedOn: string, hiredOn: string | null, dueDays: number): DueTerms {
  const basisOn = hiredOn && hiredOn > assignedOn ? hiredOn : assignedOn;
  const dueOn = addDays(basisOn, dueDays);
  return { assignedOn, basisOn, dueDays, dueOn, dueBefore: dueBefore(dueOn) };
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

const DUE_ZONE_SETTING = "due_time_zone";

/** Due instants follow ORG_TIMEZONE: when it changes, every stored one is worked out again. */
async function followTimeZone(): Promise<void> {
  const zone = orgTimeZone();
  if ((await getSetting(DUE_ZONE_SETTING)) === zone) return;
  await redateDueInstants(dueBefore);
  await putSetting(DUE_ZONE_SETTING, zone);
}

/**
 * People per slice of the recompute: each slice's queries take a few milliseconds, so that the
 * event loop gets a turn between them (see sqlite-driver.server.ts) instead of waiting for the
 * whole organisation.
 */
const RECOMPUTE_SLICE = 500;

async function recomputeNow(): Promise<RecomputeResult> {
  // One recompute at a time across servers; it reads the whole picture before it writes.
  await exclusively("recompute");
  await followTimeZone();
  const now = nowIso();
  const day = today();
  const periods = await recurrencePeriods();
  const renewBefore = new Map(periods.map((months) => [months, monthsBefore(now, months)]));
  const result: RecomputeResult = { added: 0, renewed: 0, redated: 0, removed: 0 };
  for (const people of await peopleSlices(RECOMPUTE_SLICE)) {
    const changes = await findAssignmentChanges(renewBefore, people);
    const slice = await applyChanges(changes, { now, day, renewBefore });
    slice.removed = await removeUncovered(now, people);
    for (const key of Object.keys(result) as (keyof RecomputeResult)[]) result[key] += slice[key];
  }
  return result;
}

/** One slice's changes, as found: new cycles, renewals, restorations and new due terms. */
async function applyChanges(
  changes: AssignmentChange[],
  { now, day, renewBefore }: { now: string; day: string; renewBefore: Map<number, string> },
): Promise<RecomputeResult> {
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
      inserts.push(first(change, dueTerms(day, change.hiredOn, change.dueDays)));
      result.added++;
      continue;
    }
    // A recurring course completed (or waived) a period ago: a new cycle from the anniversary.
    const closedAt = current.waivedAt ?? completedAt;
    const renewAt = recurMonths && closedAt ? renewBefore.get(recurMonths) : undefined;
    if (renewAt && closedAt && closedAt <= renewAt) {
      // The new row is current before the lessons re-open, so that the triggers copy the
      // re-opened progress into it.
      await closeCycle(current.id);
      const anniversary = addMonths(dayOf(closedAt), recurMonths!);
      await insertAssignments([
        {
          ...first(change, dueTerms(anniversary, null, change.dueDays)),
          cycle: current.cycle + 1,
          cycle_started_at: now,
          completed_at: null,
        },
      ]);
      await reopenLessons(change.courseId, { userIds: [change.userId] }, "new_cycle");
      result.renewed++;
      continue;
    }
    if (current.removed && (completedAt || current.waivedAt)) {
      restores.push(current.id);
      result.redated++;
      continue;
    }
    // Open: a changed due period or hire date, or assigned again after removal (from today).
    const assignedOn = current.removed ? day : current.assignedOn;
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

  await insertAssignments(inserts);
  await restoreAssignments(restores);
  for (const { terms, ids } of redates.values()) await setDueTerms(ids, terms);
  return result;
}

/**
 * Brings the assignments in line with the rules, the active roster and the published courses,
 * in one write transaction (or the caller's). Idempotent; call it after any roster, rule or
 * course change.
 */
export function recomputeAssignments(): Promise<RecomputeResult> {
  return writeTransaction(recomputeNow);
}

// ---------------------------------------------------------------------------------------------
// Rule changes: the rule, its consequences and its audit entry land together

const ruleAudit = (rule: Awaited<ReturnType<typeof getRule>>) =>
  rule && {
    course: rule.courseTitle ?? "every published course",
    audience: rule.audience,
    department: rule.departmentName,
    role: rule.role,
    people: rule.people.map((p) => p.email),
    dueDays: rule.dueDays,
    recurMonths: rule.recurMonths,
  };

export function createRule(actor: Actor, input: RuleInput): Promise<number> {
  return writeTransaction(async () => {
    const id = await insertRule(input, nowIso());
    await appendAudit(actor, [
      { action: "rule.created", subjectId: id, after: ruleAudit(await getRule(id)) },
    ]);
    await recomputeNow();
    return id;
  });
}

/** False when the rule does not exist. */
export function changeRule(actor: Actor, id: number, input: RuleInput): Promise<boolean> {
  return writeTransaction(async () => {
    const before = ruleAudit(await getRule(id));
    if (!before || !(await updateRule(id, input, nowIso()))) return false;
    const after = ruleAudit(await getRule(id));
    await appendAudit(actor, [{ action: "rule.changed", subjectId: id, before, after }]);
    await recomputeNow();
    return true;
  });
}

/** False when the rule does not exist. */
export function removeRule(actor: Actor, id: number): Promise<boolean> {
  return writeTransaction(async () => {
    const before = ruleAudit(await getRule(id));
    if (!before || !(await deleteRule(id))) return false;
    await appendAudit(actor, [{ action: "rule.deleted", subjectId: id, before }]);
    await recomputeNow();
    return true;
  });
}

/**
 * Waives a person's current cycle of a course, with a reason: the assignment, the ledger event
 * and the audit entry in one write. Not found for an assignment that is not this person's
 * current one, so that an edited id reaches nothing.
 */
export function waive(
  actor: Actor & { id: number },
  personId: number,
  assignmentId: number,
  reason: string,
): Promise<void> {
  return writeTransaction(async () => {
    const assignment = await getAssignment(assignmentId);
    if (!assignment || assignment.userId !== personId || assignment.isCurrent !== 1) {
      throw notFound("No such assignment for this person.");
    }
    const at = nowIso();
    await setWaived(assignment.id, reason, actor.id, at);
    await appendEvents([
      {
        userId: assignment.userId,
        courseId: assignment.courseId,
        lessonId: null,
        versionId: null,
        type: "waived",
        at,
        data: { reason, cycle: assignment.cycle, by: actor.id },
      },
    ]);
    await appendAudit(actor, [
      {
        action: "assignment.waived",
        subjectId: personId,
        subject: (await getRosterPerson(personId))?.email ?? null,
        after: {
          assignment: assignment.id,
          course: assignment.courseId,
          cycle: assignment.cycle,
          reason,
        },
      },
    ]);
  });
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
