import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { AssignmentTable, csvHref, Pager } from "~/components/assignment-table";
import { FilterSelect } from "~/components/filters";
import { NudgeNotice } from "~/components/reminders";
import {
  NudgeForm,
  nudge,
  nudgeNotice,
  nudgeOverdueTeam,
  remindedLabels,
  teamNudgeNotice,
} from "~/services/reminders.server";
import { parseReportFilter, teamReport } from "~/services/reports.server";
import assignmentStyles from "~/styles/assignments.css?url";
import reminderStyles from "~/styles/reminders.css?url";
import { requireManager } from "~/services/session.server";
import { ASSIGNMENT_STATUSES, STATUS_LABELS } from "~/utils/progress-status";

export const meta: MetaFunction = () => [{ title: "My team · Staffroom" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: assignmentStyles },
  { rel: "stylesheet", href: reminderStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireManager(request);
  const filter = parseReportFilter(new URL(request.url).searchParams);
  const report = await teamReport(viewer, filter);
  return {
    filter,
    ...report,
    reminded: await remindedLabels(report.list.rows.map((r) => r.userId)),
  };
}

/** A reminder to one person in the team, or to everyone in it who is overdue. */
export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireManager(request);
  const parsed = NudgeForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ notice: "Choose whom to remind." }, 400);
  if (parsed.data.intent === "remind-overdue") {
    return { notice: teamNudgeNotice(await nudgeOverdueTeam(viewer)) };
  }
  return { notice: nudgeNotice(await nudge(viewer, parsed.data.personId, "team")) };
}

export default function Team() {
  const { filter, people, summary, list, options, reminded } = useLoaderData<typeof loader>();
  const notice = useActionData<typeof action>()?.notice;
  const { search } = useLocation();
  return (
    <>
      <h1>My team</h1>
      <p className="lede">
        {people} {people === 1 ? "person reports" : "people report"} to you directly or through
        their managers. {summary.completion.done} of {summary.completion.of} assigned courses are
        completed; <strong>{summary.overdue} overdue</strong>.
      </p>
      <ul className="stats stats--compact" aria-label="Your team by status">
        {ASSIGNMENT_STATUSES.map((s) => (
          <li className="stat" key={s}>
            <span className="stat__value">{summary.byStatus[s]}</span>
            <span className="stat__label">{STATUS_LABELS[s]}</span>
          </li>
        ))}
      </ul>
      <NudgeNotice notice={notice} />
      {summary.overdue > 0 ? (
        <Form method="post" className="nudge-all">
          <input type="hidden" name="intent" value="remind-overdue" />
          <button type="submit" className="button">
            Remind everyone who is overdue
          </button>{" "}
          <span className="muted small">
            One message each, listing what they have not finished; at most one a day.
          </span>
        </Form>
      ) : null}

      <h2 id="list-title">Assigned courses</h2>
      {filter.managerEmail ? (
        <p role="status">
          Showing the team of {filter.managerEmail}. <Link to="/team">Show my whole team</Link>
        </p>
      ) : null}
      <Form method="get" className="filters" aria-label="Filter the list">
        {filter.managerEmail ? (
          <input type="hidden" name="manager" value={filter.managerEmail} />
        ) : null}
        <FilterSelect
          label="Course"
          name="course"
          value={filter.courseSlug}
          any="All courses"
          options={options.courses.map((c) => ({ value: c.slug, label: c.title }))}
        />
        <FilterSelect
          label="Status"
          name="status"
          value={filter.status}
          any="Any status"
          options={ASSIGNMENT_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
        />
        <button type="submit" className="button button--quiet">
          Apply filters
        </button>
        <a className="button button--quiet" href={csvHref("/team.csv", search)} download>
          Download this list (CSV)
        </a>
      </Form>
      <AssignmentTable
        rows={list.rows}
        testId="team-table"
        label="Team progress"
        managerHref={(email) => `/team?manager=${encodeURIComponent(email)}`}
        reminded={reminded}
      />
      <Pager search={search} page={list.page} pageSize={list.pageSize} total={list.total} />
    </>
  );
}
