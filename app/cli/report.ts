import { migrateToLatest } from "#db/migrate";
import { recomputeAssignments } from "~/services/assignments.server";
import { NOT_FINISHED_COLUMNS, notFinishedCsv, notFinishedList } from "~/services/reports.server";
import { parseFlags, printTable, UsageError } from "./usage";

const FORMATS = ["table", "csv", "json"] as const;
const TABLE_COLUMNS = ["email", "name", "department", "course", "status", "due_date"];

export async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    course: { type: "string" },
    department: { type: "string" },
    overdue: { type: "boolean" },
    format: { type: "string" },
  });
  if (positionals.join(" ") !== "not-finished") {
    throw new UsageError(
      `Unknown report "${positionals.join(" ")}"; the report is "not-finished".`,
    );
  }
  const format = (values.format ?? "table") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not "${values.format}".`);
  }
  await migrateToLatest();
  // Bring assignments up to date first (courses synced from the CLI, recurring courses that came
  // due while no server ran); idempotent, and a no-op when nothing changed.
  await recomputeAssignments();
  const rows = await notFinishedList({
    courseSlug: values.course,
    department: values.department,
    overdue: values.overdue,
  });

  if (format === "json") {
    const objects = rows.map((r) => ({
      email: r.email,
      name: r.name,
      department: r.department,
      manager_email: r.managerEmail,
      course: r.courseSlug,
      status: r.status,
      due_date: r.dueOn,
      lessons_completed: r.lessonsCompleted,
      lessons_total: r.lessonCount,
      last_activity: r.lastActivityAt,
    }));
    console.log(JSON.stringify(objects, null, 2));
  } else if (format === "csv") {
    process.stdout.write(notFinishedCsv(rows));
  } else {
    const columns = NOT_FINISHED_COLUMNS.filter((c) => TABLE_COLUMNS.includes(c.header));
    printTable([
      columns.map((c) => c.header),
      ...rows.map((r) => columns.map((c) => String(c.value(r) ?? ""))),
    ]);
    console.log(`\n${rows.length} ${values.overdue ? "overdue" : "not finished"}.`);
  }
  return 0;
}
