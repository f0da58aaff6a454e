import { NavLink } from "@remix-run/react";

/** The roster pages' own navigation: people, import, audit log, outbox. */
export function AdminNav() {
  return (
    <nav aria-label="People administration" className="admin-nav">
      <NavLink to="/admin/people" end>
        People
      </NavLink>
      <NavLink to="/admin/import">Import a roster</NavLink>
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
