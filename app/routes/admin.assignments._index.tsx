import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listRules } from "~/models/assignments.server";
import assignmentStyles from "~/styles/assignments.css?url";
import { requireAdmin } from "~/services/session.server";
import { orgTimeZone } from "~/utils/calendar.server";

export const meta: MetaFunction = () => [{ title: "Assignments · Staffroom" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: assignmentStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return { rules: await listRules(), timeZone: orgTimeZone() };
}

type Rule = ReturnType<typeof useLoaderData<typeof loader>>["rules"][number];

function audienceOf(rule: Rule) {
  if (rule.audience === "department") return `everyone in ${rule.departmentName}`;
  if (rule.audience === "role") return rule.role === "admin" ? "administrators" : "leaders";
  if (rule.audience === "managers") return "everyone with people reporting to them";
  if (rule.audience === "people") {
    const names = rule.people.map((p) => p.name);
    return names.length > 3
      ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`
      : names.join(", ");
  }
  return "everyone";
}

export default function AssignmentRules() {
  const { rules, timeZone } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Assignments</h1>
      <p className="lede">
        Rules say who must take which course and by when. They apply to everyone on the roster now
        and to people added later; a person who moves department gains and loses courses to match.
        Completed training is never deleted. When several rules give someone the same course, the
        shortest due period and the shortest repeat interval apply.
      </p>
      <p className="muted" data-testid="time-zone">
        Dates follow the organisation&apos;s time zone, <strong>{timeZone}</strong> (set by{" "}
        <code>ORG_TIMEZONE</code>): a course is on time when it is finished by the end of its due
        day there.
      </p>
      <p>
        <Link className="button" to="/admin/assignments/new">
          Add a rule
        </Link>
      </p>
      {rules.length === 0 ? (
        <p role="status">No rules: nobody is assigned any course.</p>
      ) : (
        <ul className="rule-list" aria-label="Assignment rules">
          {rules.map((rule) => (
            <li key={rule.id} data-testid="rule">
              <span>
                <strong>{rule.courseTitle ?? "Every published course"}</strong> for{" "}
                {audienceOf(rule)}, due {rule.dueDays} {rule.dueDays === 1 ? "day" : "days"} after
                assignment or hire date
                {rule.recurMonths ? `, repeated every ${rule.recurMonths} months` : ""}.
              </span>
              <Link to={`/admin/assignments/${rule.id}`} aria-label={`Edit rule ${rule.id}`}>
                Edit
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
