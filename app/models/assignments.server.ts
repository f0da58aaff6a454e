/**
 * All SQL for assignment rules and assignments (one row per person × course × cycle).
 * Which rules cover whom is decided here, in set-based queries; the dates are worked out in
 * app/services/assignments.server.ts.
 */
import type { Insertable, QueryCreator } from "kysely";
import type { AssignmentAudience, AssignmentRole, AssignmentsTable, Database } from "#db/schema";
import { chunks } from "~/utils/chunks";
import { db } from "~/utils/db.server";

// ---------------------------------------------------------------------------------------------
// Rules

export interface RuleInput {
  /** null: every published course, including courses published later. */
  courseId: number | null;
  audience: AssignmentAudience;
  departmentId: number | null;
  role: AssignmentRole | null;
  /** audience "people" only. */
  personIds: number[];
  dueDays: number;
  recurMonths: number | null;
}

export interface RuleRow extends RuleInput {
  id: number;
  courseTitle: string | null;
  departmentName: string | null;
  people: { id: number; name: string; email: string }[];
  updatedAt: string;
}

export async function listRules(): Promise<RuleRow[]> {
  const [rules, people] = await Promise.all([
    db
      .selectFrom("assignment_rules as r")
      .leftJoin("courses as c", "c.id", "r.course_id")
      .leftJoin("departments as d", "d.id", "r.department_id")
      .select([
        "r.id",
        "r.course_id as courseId",
        "c.title as courseTitle",
        "r.audience",
        "r.department_id as departmentId",
        "d.name as departmentName",
        "r.role",
        "r.due_days as dueDays",
        "r.recur_months as recurMonths",
        "r.updated_at as updatedAt",
      ])
      .orderBy("r.id")
      .execute(),
    db
      .selectFrom("assignment_rule_people as rp")
      .innerJoin("users as u", "u.id", "rp.user_id")
      .select(["rp.rule_id", "u.id", "u.name", "u.email"])
      .orderBy("u.name")
      .execute(),
  ]);
  return rules.map((r) => {
    const named = people.filter((p) => p.rule_id === r.id);
    return {
      ...r,
      personIds: named.map((p) => p.id),
      people: named.map(({ id, name, email }) => ({ id, name, email })),
    };
  });
}

export async function getRule(id: number): Promise<RuleRow | undefined> {
  return (await listRules()).find((r) => r.id === id);
}

async function writePeople(ruleId: number, personIds: number[]) {
  await db.deleteFrom("assignment_rule_people").where("rule_id", "=", ruleId).execute();
  for (const ids of chunks([...new Set(personIds)])) {
    await db
      .insertInto("assignment_rule_people")
      .values(ids.map((user_id) => ({ rule_id: ruleId, user_id })))
      .execute();
  }
}

function ruleValues(input: RuleInput) {
  return {
    course_id: input.courseId,
    audience: input.audience,
    department_id: input.audience === "department" ? input.departmentId : null,
    role: input.audience === "role" ? input.role : null,
    due_days: input.dueDays,
    recur_months: input.recurMonths,
  };
}

export async function insertRule(input: RuleInput, at: string): Promise<number> {
  const row = await db
    .insertInto("assignment_rules")
    .values({ ...ruleValues(input), created_at: at, updated_at: at })
    .returning("id")
    .executeTakeFirstOrThrow();
  await writePeople(row.id, input.audience === "people" ? input.personIds : []);
  return row.id;
}

export async function updateRule(id: number, input: RuleInput, at: string): Promise<boolean> {
  const result = await db
    .updateTable("assignment_rules")
    .set({ ...ruleValues(input), updated_at: at })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await writePeople(id, input.audience === "people" ? input.personIds : []);
  return true;
}

export async function deleteRule(id: number): Promise<boolean> {
  await db.deleteFrom("assignment_rule_people").where("rule_id", "=", id).execute();
  const result = await db.deleteFrom("assignment_rules").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The distinct recurrence periods in use, so that the service can work out their thresholds. */
export async function recurrencePeriods(): Promise<number[]> {
  const rows = await db
    .selectFrom("assignment_rules")
    .select("recur_months")
    .distinct()
    .where("recur_months", "is not", null)
    .execute();
  return rows.map((r) => r.recur_months!);
}

// ---------------------------------------------------------------------------------------------
// Recompute: which (person, course) pairs the rules ask for, against what is stored

/** People by id, from `from` to `to` inclusive: recompute works through the roster a slice at a time. */
export interface PeopleSlice {
  from: number;
  to: number;
}

/** Slices of at most `size` ids covering every person, in id order. */
export async function peopleSlices(size: number): Promise<PeopleSlice[]> {
  const { first, last } = await db
    .selectFrom("users")
    .select((eb) => [eb.fn.min("id").as("first"), eb.fn.max("id").as("last")])
    .executeTakeFirstOrThrow();
  if (first === null || last === null) return [];
  const slices: PeopleSlice[] = [];
  for (let from = Number(first); from <= Number(last); from += size) {
    slices.push({ from, to: Math.min(from + size - 1, Number(last)) });
  }
  return slices;
}

/**
 * Every active person (of the slice) × published course that some rule covers, with the
 * strictest terms of the rules that cover it: the shortest due period and the shortest recurrence.
 */
function desired(qc: QueryCreator<Database>, people: PeopleSlice) {
  return qc
    .selectFrom("assignment_rules as r")
    .innerJoin("courses as c", (join) => join.on("c.status", "=", "published"))
    .innerJoin("users as u", (join) =>
      join.on("u.status", "=", "active").on("u.id", ">=", people.from).on("u.id", "<=", people.to),
    )
    .where((eb) => eb.or([eb("r.course_id", "is", null), eb("r.course_id", "=", eb.ref("c.id"))]))
    .where((eb) =>
      eb.or([
        eb("r.audience", "=", "everyone"),
        eb.and([
          eb("r.audience", "=", "department"),
          eb("r.department_id", "=", eb.ref("u.department_id")),
        ]),
        eb.and([
          eb("r.audience", "=", "role"),
          eb.or([
            eb.and([eb("r.role", "=", "admin"), eb("u.is_admin", "=", 1)]),
            eb.and([eb("r.role", "=", "leader"), eb("u.is_leader", "=", 1)]),
          ]),
        ]),
        eb.and([
          eb("r.audience", "=", "managers"),
          eb.exists(
            eb
              .selectFrom("users as report")
              .select("report.id")
              .whereRef("report.manager_id", "=", "u.id")
              .where("report.status", "=", "active"),
          ),
        ]),
        eb.and([
          eb("r.audience", "=", "people"),
          eb.exists(
            eb
              .selectFrom("assignment_rule_people as rp")
              .select("rp.rule_id")
              .whereRef("rp.rule_id", "=", "r.id")
              .whereRef("rp.user_id", "=", "u.id"),
          ),
        ]),
      ]),
    )
    .select((eb) => [
      "u.id as user_id",
      "c.id as course_id",
      "u.hired_on",
      "u.department_id",
      eb.fn.min("r.due_days").as("due_days"),
      eb.fn.min("r.recur_months").as("recur_months"),
    ])
    .groupBy(["u.id", "c.id", "u.hired_on", "u.department_id"]);
}

export interface AssignmentChange {
  userId: number;
  courseId: number;
  hiredOn: string | null;
  departmentId: number | null;
  dueDays: number;
  recurMonths: number | null;
  /** The person's current cycle of this course, if any. */
  current: {
    id: number;
    cycle: number;
    assignedOn: string;
    basisOn: string;
    dueDays: number;
    removed: boolean;
    waivedAt: string | null;
  } | null;
  /** The person's summary row of the course (course_progress), if any. */
  progress: {
    completedAt: string | null;
    lastActivityAt: string;
    lessonsCompleted: number;
    staleSince: string | null;
  } | null;
}

/**
 * The covered pairs that need work: new, restored after removal, with changed due terms, or
 * (given `renewBefore`: recurrence months → the latest completion that is now due for renewal)
 * completed long enough ago that a new cycle starts. Unchanged pairs are not returned.
 */
export async function findAssignmentChanges(
  renewBefore: Map<number, string>,
  people: PeopleSlice,
): Promise<AssignmentChange[]> {
  const rows = await db
    .with("d", (qc) => desired(qc, people))
    .selectFrom("d")
    .leftJoin("assignments as a", (join) =>
      join
        .onRef("a.user_id", "=", "d.user_id")
        .onRef("a.course_id", "=", "d.course_id")
        .on("a.is_current", "=", 1),
    )
    .leftJoin("course_progress as cp", (join) =>
      join.onRef("cp.user_id", "=", "d.user_id").onRef("cp.course_id", "=", "d.course_id"),
    )
    .select([
      "d.user_id",
      "d.course_id",
      "d.hired_on",
      "d.department_id",
      "d.due_days",
      "d.recur_months",
      "a.id",
      "a.cycle",
      "a.assigned_on",
      "a.basis_on",
      "a.due_days as current_due_days",
      "a.removed_at",
      "a.waived_at",
      "cp.completed_at",
      "cp.last_activity_at",
      "cp.lessons_completed",
      "cp.stale_since",
    ])
    .where((eb) => {
      const basis = eb
        .case()
        .when(eb.and([eb("a.cycle", "=", 1), eb("d.hired_on", ">", eb.ref("a.assigned_on"))]))
        .then(eb.ref("d.hired_on"))
        .else(eb.ref("a.assigned_on"))
        .end();
      const open = eb.and([eb("a.waived_at", "is", null), eb("cp.completed_at", "is", null)]);
      const conditions = [
        eb("a.id", "is", null),
        eb("a.removed_at", "is not", null),
        eb.and([
          open,
          eb.or([eb("a.due_days", "!=", eb.ref("d.due_days")), eb("a.basis_on", "!=", basis)]),
        ]),
      ];
      // A recurring course renews a period after it was completed — or waived.
      for (const [months, threshold] of renewBefore) {
        conditions.push(
          eb.and([
            eb("d.recur_months", "=", months),
            eb.or([
              eb.and([
                eb("a.waived_at", "is", null),
                eb("cp.completed_at", "is not", null),
                eb("cp.completed_at", "<=", threshold),
              ]),
              eb.and([eb("a.waived_at", "is not", null), eb("a.waived_at", "<=", threshold)]),
            ]),
          ]),
        );
      }
      return eb.or(conditions);
    })
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    courseId: r.course_id,
    hiredOn: r.hired_on,
    departmentId: r.department_id,
    dueDays: Number(r.due_days),
    recurMonths: r.recur_months === null ? null : Number(r.recur_months),
    current:
      r.id === null
        ? null
        : {
            id: r.id,
            cycle: r.cycle!,
            assignedOn: r.assigned_on!,
            basisOn: r.basis_on!,
            dueDays: r.current_due_days!,
            removed: r.removed_at !== null,
            waivedAt: r.waived_at,
          },
    progress:
      r.last_activity_at === null
        ? null
        : {
            completedAt: r.completed_at,
            lastActivityAt: r.last_activity_at,
            lessonsCompleted: r.lessons_completed!,
            staleSince: r.stale_since,
          },
  }));
}

export type NewAssignment = Insertable<AssignmentsTable>;

export async function insertAssignments(rows: NewAssignment[]): Promise<void> {
  for (const part of chunks(rows, 200)) await db.insertInto("assignments").values(part).execute();
}

export interface DueTerms {
  assignedOn: string;
  basisOn: string;
  dueDays: number;
  dueOn: string;
  dueBefore: string;
}

/** Gives these current cycles new due terms (and brings back removed ones). */
export async function setDueTerms(ids: number[], terms: DueTerms): Promise<void> {
  for (const part of chunks(ids)) {
    await db
      .updateTable("assignments")
      .set({
        assigned_on: terms.assignedOn,
        basis_on: terms.basisOn,
        due_days: terms.dueDays,
        due_on: terms.dueOn,
        due_before: terms.dueBefore,
        removed_at: null,
      })
      .where("id", "in", part)
      .execute();
  }
}

/** Brings back removed cycles as they were (their completion still stands). */
export async function restoreAssignments(ids: number[]): Promise<void> {
  for (const part of chunks(ids)) {
    await db.updateTable("assignments").set({ removed_at: null }).where("id", "in", part).execute();
  }
}

/** Ends a completed cycle: it keeps its completion (and its copy of progress), no longer current. */
export async function closeCycle(id: number): Promise<void> {
  await db.updateTable("assignments").set({ is_current: 0 }).where("id", "=", id).execute();
}

/**
 * Current cycles of active people that no rule covers any more leave the reports; their rows
 * (and every completion) stay. Deactivated people keep theirs untouched.
 */
export async function removeUncovered(at: string, people: PeopleSlice): Promise<number> {
  const result = await db
    .with("d", (qc) => desired(qc, people))
    .updateTable("assignments")
    .set({ removed_at: at })
    .where("user_id", ">=", people.from)
    .where("user_id", "<=", people.to)
    .where("is_current", "=", 1)
    .where("removed_at", "is", null)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom("users as u")
            .select("u.id")
            .whereRef("u.id", "=", "assignments.user_id")
            .where("u.status", "=", "active"),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom("d")
              .select("d.user_id")
              .whereRef("d.user_id", "=", "assignments.user_id")
              .whereRef("d.course_id", "=", "assignments.course_id"),
          ),
        ),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------------
// Waivers

export async function getAssignment(id: number) {
  return db
    .selectFrom("assignments")
    .select([
      "id",
      "user_id as userId",
      "course_id as courseId",
      "cycle",
      "is_current as isCurrent",
    ])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Marks one cycle waived (the service records it in the ledger and the audit log). */
export async function setWaived(id: number, reason: string, byUserId: number, at: string) {
  await db
    .updateTable("assignments")
    .set({ waived_at: at, waived_reason: reason, waived_by: byUserId })
    .where("id", "=", id)
    .execute();
}

/** Due instants of every cycle, recomputed from their due days (the time zone changed). */
export async function redateDueInstants(dueBefore: (dueOn: string) => string): Promise<number> {
  const days = await db.selectFrom("assignments").select("due_on").distinct().execute();
  for (const { due_on } of days) {
    await db
      .updateTable("assignments")
      .set({ due_before: dueBefore(due_on) })
      .where("due_on", "=", due_on)
      .execute();
  }
  return days.length;
}
