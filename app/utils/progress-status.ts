// Shared by the server (reports, CLI, CSV) and the pages.
export type ProgressStatus =
  "not_started" | "in_progress" | "completed" | "stale" | AssignmentOnlyStatus;

/** Statuses that only an assignment (a course with a due date) can have. */
type AssignmentOnlyStatus = "completed_on_time" | "completed_late" | "overdue" | "waived";

/** A person's status on one assignment cycle that is not finished, most urgent first. */
export const UNFINISHED_STATUSES = [
  "overdue",
  "stale",
  "in_progress",
  "not_started",
] as const satisfies readonly ProgressStatus[];
export type UnfinishedStatus = (typeof UNFINISHED_STATUSES)[number];
/** A person's status on one assignment cycle, most urgent first. */
export const ASSIGNMENT_STATUSES = [
  ...UNFINISHED_STATUSES,
  "completed_late",
  "completed_on_time",
  "waived",
] as const satisfies readonly ProgressStatus[];
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

export const STATUS_LABELS: Record<ProgressStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  completed: "Completed",
  stale: "Updated since completed",
  completed_on_time: "Completed on time",
  completed_late: "Completed late",
  overdue: "Overdue",
  waived: "Waived",
};

/**
 * The status a summary row (course_progress or lesson_progress) stands for. `stale`: a completion
 * was re-opened because what is assessed changed, and it has not been completed again yet.
 */
export function summaryStatus(
  row: { startedAt: string | null; completedAt: string | null; staleSince: string | null } | null,
): ProgressStatus {
  if (!row?.startedAt) return "not_started";
  if (row.completedAt) return "completed";
  return row.staleSince ? "stale" : "in_progress";
}
