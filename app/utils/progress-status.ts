// Shared by the server (reports, CLI, CSV) and the pages.
export type ProgressStatus = "not_started" | "in_progress" | "completed";

export const STATUS_LABELS: Record<ProgressStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  completed: "Completed",
};
