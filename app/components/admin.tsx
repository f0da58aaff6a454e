import { Link, NavLink } from "@remix-run/react";

/** The roster pages' own navigation: people, import, reminders, audit log, outbox. */
export function AdminNav() {
  return (
    <nav aria-label="People administration" className="admin-nav">
      <NavLink to="/admin/people" end>
        People
      </NavLink>
      <NavLink to="/admin/import">Import a roster</NavLink>
      <NavLink to="/admin/reminders">Reminders</NavLink>
      <NavLink to="/admin/audit">Audit log</NavLink>
      <NavLink to="/admin/outbox">Outbox</NavLink>
    </nav>
  );
}

/** Spelled out, never colour alone. */
export function PersonStatus({ status }: { status: "active" | "deactivated" }) {
  return status === "active" ? (
    <span className="badge badge--completed">Active</span>
  ) : (
    <span className="badge badge--deactivated">Deactivated</span>
  );
}

/** "Page 2 of 7" between links to the pages either side; the links keep the list's filters. */
export function PageLinks({
  filter,
  total,
  pageSize,
  previous,
  next,
}: {
  filter: { page: number } & Record<string, string | number | undefined>;
  total: number;
  pageSize: number;
  previous: string;
  next: string;
}) {
  if (total <= pageSize) return null;
  const { page } = filter;
  const hrefFor = (p: number) => {
    const values: Record<string, string | number | undefined> = { ...filter, page: p };
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined && value !== "") params.set(key, String(value));
    }
    return `?${params}`;
  };
  return (
    <p className="pager-links">
      {page > 1 ? <Link to={hrefFor(page - 1)}>{previous}</Link> : null}
      <span className="muted">
        Page {page} of {Math.ceil(total / pageSize)}
      </span>
      {page * pageSize < total ? <Link to={hrefFor(page + 1)}>{next}</Link> : null}
    </p>
  );
}
