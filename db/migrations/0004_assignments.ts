import { sql, type Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
export async function up(db: Kysely<any>): Promise<void> {
  // Who must take what, and by when. course_id null means "every published course".
  await db.schema
    .createTable("assignment_rules")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("course_id", "integer", (c) => c.references("courses.id"))
    .addColumn("audience", "text", (c) => c.notNull())
    .addColumn("department_id", "integer", (c) => c.references("departments.id"))
    .addColumn("role", "text")
    .addColumn("due_days", "integer", (c) => c.notNull())
    .addColumn("recur_months", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint(
      "assignment_rules_audience",
      sql`audience in ('everyone', 'department', 'role', 'people')`,
    )
    .addCheckConstraint(
      "assignment_rules_target",
      sql`(audience = 'department') = (department_id is not null)
        and (audience = 'role') = (role is not null)
        and (role is null or role in ('admin', 'leader'))`,
    )
    .addCheckConstraint("assignment_rules_due_days", sql`due_days between 0 and 3650`)
    .addCheckConstraint(
      "assignment_rules_recur",
      sql`recur_months is null or recur_months between 1 and 120`,
    )
    .execute();

  // The named people of an audience = 'people' rule.
  await db.schema
    .createTable("assignment_rule_people")
    .addColumn("rule_id", "integer", (c) =>
      c.notNull().references("assignment_rules.id").onDelete("cascade"),
    )
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("assignment_rule_people_pk", ["rule_id", "user_id"])
    .execute();

  // One row per person × course × cycle. A recurring course adds a cycle; earlier ones are kept.
  // Reports read this table alone: it carries copies of the person's department and status and of
  // the course's summary row (kept by the triggers below, in the writer's transaction), and the
  // status columns are generated, so that figures and lists come from index scans.
  await db.schema
    .createTable("assignments")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("course_id", "integer", (c) => c.notNull().references("courses.id"))
    .addColumn("cycle", "integer", (c) => c.notNull())
    // 1 for the person's latest cycle of the course, 0 for earlier (completed) cycles.
    .addColumn("is_current", "integer", (c) => c.notNull())
    // The day the cycle began to apply.
    .addColumn("assigned_on", "text", (c) => c.notNull())
    // The later of assigned_on and (first cycle only) hired_on: the day the due period starts.
    .addColumn("basis_on", "text", (c) => c.notNull())
    .addColumn("due_days", "integer", (c) => c.notNull())
    .addColumn("due_on", "text", (c) => c.notNull())
    // The first instant after the due date (UTC): completions before it are on time.
    .addColumn("due_before", "text", (c) => c.notNull())
    // Later cycles only: when the course re-opened; activity before it belongs to earlier cycles.
    .addColumn("cycle_started_at", "text")
    // Set while no rule assigns this course to the person any more (history is kept).
    .addColumn("removed_at", "text")
    .addColumn("waived_at", "text")
    .addColumn("waived_reason", "text")
    .addColumn("waived_by", "integer", (c) => c.references("users.id"))
    // Copies of users.department_id and users.status = 'active'.
    .addColumn("department_id", "integer")
    .addColumn("user_active", "integer", (c) => c.notNull().defaultTo(1))
    // Copies of the course_progress row while the cycle is current; an earlier cycle keeps the
    // values it closed with (its completion).
    .addColumn("completed_at", "text")
    .addColumn("last_activity_at", "text")
    .addColumn("lessons_completed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("stale_since", "text")
    // Status apart from the clock; "overdue" is an open cycle past due_before, decided at read time.
    .addColumn("state", "text", (c) =>
      c
        .generatedAlwaysAs(
          sql`case
            when waived_at is not null then 'waived'
            when completed_at is not null then
              case when completed_at < due_before then 'completed_on_time' else 'completed_late' end
            when stale_since is not null then 'stale'
            when last_activity_at is not null
              and (cycle_started_at is null or last_activity_at > cycle_started_at) then 'in_progress'
            else 'not_started' end`,
        )
        .stored(),
    )
    .addColumn("open", "integer", (c) =>
      c
        .generatedAlwaysAs(
          sql`case when waived_at is null and completed_at is null then 1 else 0 end`,
        )
        .stored(),
    )
    .addUniqueConstraint("assignments_user_course_cycle", ["user_id", "course_id", "cycle"])
    .execute();
  // The not-finished list, most overdue first; figures by course × department × status.
  await db.schema
    .createIndex("assignments_list")
    .on("assignments")
    .columns([
      ...["user_active", "removed_at", "is_current", "open", "due_on", "user_id"],
      // Not for the order: they let the page's count read the index alone.
      ...["course_id", "department_id", "state", "due_before"],
    ])
    .execute();
  await db.schema
    .createIndex("assignments_figures")
    .on("assignments")
    .columns([
      "user_active",
      "removed_at",
      "course_id",
      "department_id",
      "is_current",
      "state",
      "due_before",
    ])
    .execute();
  // One person's (or an export chunk's) listed assignments.
  await db.schema
    .createIndex("assignments_person")
    .on("assignments")
    .columns(["user_id", "user_active", "removed_at", "is_current"])
    .execute();

  // SQLite-only: the copies above follow their sources in the same transaction as every write.
  await sql`CREATE TRIGGER assignments_follow_progress_insert AFTER INSERT ON course_progress
    BEGIN
      UPDATE assignments SET completed_at = NEW.completed_at,
        last_activity_at = NEW.last_activity_at, lessons_completed = NEW.lessons_completed,
        stale_since = NEW.stale_since
      WHERE user_id = NEW.user_id AND course_id = NEW.course_id AND is_current = 1;
    END`.execute(db);
  await sql`CREATE TRIGGER assignments_follow_progress_update AFTER UPDATE ON course_progress
    BEGIN
      UPDATE assignments SET completed_at = NEW.completed_at,
        last_activity_at = NEW.last_activity_at, lessons_completed = NEW.lessons_completed,
        stale_since = NEW.stale_since
      WHERE user_id = NEW.user_id AND course_id = NEW.course_id AND is_current = 1;
    END`.execute(db);
  await sql`CREATE TRIGGER assignments_follow_progress_delete AFTER DELETE ON course_progress
    BEGIN
      UPDATE assignments SET completed_at = NULL, last_activity_at = NULL,
        lessons_completed = 0, stale_since = NULL
      WHERE user_id = OLD.user_id AND course_id = OLD.course_id AND is_current = 1;
    END`.execute(db);
  await sql`CREATE TRIGGER assignments_follow_users AFTER UPDATE OF department_id, status ON users
    BEGIN
      UPDATE assignments SET department_id = NEW.department_id,
        user_active = CASE WHEN NEW.status = 'active' THEN 1 ELSE 0 END
      WHERE user_id = NEW.id;
    END`.execute(db);

  // The contract: a fresh database starts with one visible, editable rule.
  const stamp = new Date().toISOString();
  await db
    .insertInto("assignment_rules")
    .values({
      course_id: null,
      audience: "everyone",
      department_id: null,
      role: null,
      due_days: 30,
      recur_months: null,
      created_at: stamp,
      updated_at: stamp,
    })
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
