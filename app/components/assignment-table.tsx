import { Link } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { StatusBadge } from "~/components/progress";
import { RemindCell, type Reminded } from "~/components/reminders";
import { formatDay } from "~/utils/dates";
import { UNFINISHED_STATUSES, type AssignmentStatus } from "~/utils/progress-status";

/** One person × course row as the reports send it (structurally the model's row). */
export interface AssignmentListRow {
  assignmentId: number;
  userId: number;
  name: string;
  email: string;
  department: string | null;
  managerName: string | null;
  managerEmail: string | null;
  courseTitle: string;
  status: AssignmentStatus;
  dueOn: string;
  lessonsCompleted: number;
  lessonCount: number;
  lastActivityOn: string | null;
}

const unfinished = (status: AssignmentStatus) =>
  (UNFINISHED_STATUSES as readonly string[]).includes(status);

/**
 * Assignments with status, due date and last activity; people link to their page. With
 * `reminded`, each person's first unfinished row offers a reminder and says when the last was.
 */
export function AssignmentTable({
  rows,
  testId,
  label,
  managerHref,
  reminded,
}: {
  rows: AssignmentListRow[];
  testId: string;
  label: string;
  /** Where a manager's name leads (their team, filtered). */
  managerHref: (email: string) => string;
  /** When each person on the page was last reminded (absent: never). */
  reminded?: Record<number, Reminded>;
}) {
  const offered = new Set<number>();
  const offerOnce = (r: AssignmentListRow) => {
    if (!unfinished(r.status) || offered.has(r.userId)) return false;
    offered.add(r.userId);
    return true;
  };
  return (
    <DataTable
      label={label}
      testId={testId}
      columns={[
        "Person",
        "Department",
        "Manager",
        "Course",
        "Status",
        "Due",
        "Lessons",
        "Last activity",
      ]}
    >
      {rows.map((r) => (
        <tr key={r.assignmentId}>
          <th scope="row">
            <Link to={`/people/${r.userId}`}>{r.name}</Link>
            <span className="muted small block">{r.email}</span>
            {reminded && offerOnce(r) ? (
              <RemindCell personId={r.userId} name={r.name} reminded={reminded[r.userId]} />
            ) : null}
          </th>
          <td>{r.department ?? "—"}</td>
          <td>
            {r.managerEmail ? <Link to={managerHref(r.managerEmail)}>{r.managerName}</Link> : "—"}
          </td>
          <td>{r.courseTitle}</td>
          <td>
            <StatusBadge status={r.status} />
          </td>
          <td>
            <time dateTime={r.dueOn}>{r.dueOn}</time>
          </td>
          <td>
            {r.lessonsCompleted}/{r.lessonCount}
          </td>
          <td>{r.lastActivityOn ? formatDay(r.lastActivityOn) : "Never opened"}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The CSV download of the list on this page (`search`): the same filters, every page. */
export function csvHref(path: string, search: string) {
  const params = new URLSearchParams(search);
  params.delete("page");
  return params.size > 0 ? `${path}?${params}` : path;
}

/** "Showing 51–100 of 312" with previous/next links that keep the other filters. */
export function Pager({
  search,
  page,
  pageSize,
  total,
}: {
  search: string;
  page: number;
  pageSize: number;
  total: number;
}) {
  const hrefFor = (p: number) => {
    const params = new URLSearchParams(search);
    params.set("page", String(p));
    return `?${params}`;
  };
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pager" aria-label="Pages">
      <p role="status">
        Showing {first}–{last} of {total}
      </p>
      {page > 1 ? <Link to={hrefFor(page - 1)}>Previous page</Link> : null}
      {last < total ? <Link to={hrefFor(page + 1)}>Next page</Link> : null}
    </nav>
  );
}
