import { STATUS_LABELS, type ProgressStatus } from "~/utils/progress-status";

/** Status is always spelled out, never carried by colour alone. */
export function StatusBadge({ status }: { status: ProgressStatus }) {
  return <span className={`badge badge--${status}`}>{STATUS_LABELS[status]}</span>;
}

export function ProgressBar({
  done,
  total,
  label,
}: {
  done: number;
  total: number;
  label: string;
}) {
  const percent = total === 0 ? 0 : Math.round((done / total) * 100);
  return (
    <div className="progress">
      <progress max={total || 1} value={done} aria-label={label}>
        {percent}%
      </progress>
      <span className="progress__text">
        {done} of {total} lessons
      </span>
    </div>
  );
}
