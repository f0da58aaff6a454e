import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { AssignmentTable, csvHref, Pager } from "~/components/assignment-table";
import { BarChart } from "~/components/chart";
import { FilterSelect, ManagerFilter } from "~/components/filters";
import { NudgeNotice } from "~/components/reminders";
import { nudge, nudgeNotice, PersonNudgeForm, remindedLabels } from "~/services/reminders.server";
import { leadershipReport, parseReportFilter } from "~/services/reports.server";
import assignmentStyles from "~/styles/assignments.css?url";
import reminderStyles from "~/styles/reminders.css?url";
import { requireLeader } from "~/services/session.server";
import { STATUS_LABELS, UNFINISHED_STATUSES } from "~/utils/progress-status";

export const meta: MetaFunction = () => [{ title: "Who has not finished · Staffroom" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: assignmentStyles },
  { rel: "stylesheet", href: reminderStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireLeader(request);
  const filter = parseReportFilter(new URL(request.url).searchParams, UNFINISHED_STATUSES);
  const report = await leadershipReport(filter);
  return {
    filter,
    ...report,
    reminded: await remindedLabels(report.list.rows.map((r) => r.userId)),
  };
}

/** A reminder to one person on the not-finished list. */
export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireLeader(request);
  const parsed = PersonNudgeForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ notice: "Choose whom to remind." }, 400);
  return { notice: nudgeNotice(await nudge(viewer, parsed.data.personId, "organisation")) };
}

const percent = (p: number | null) => (p === null ? "—" : `${p}%`);

export default function Reports() {
  const { filter, summary, list, options, reminded } = useLoaderData<typeof loader>();
  const notice = useActionData<typeof action>()?.notice;
  const { search } = useLocation();
  return (
    <>
      <h1>Who has not finished</h1>
      <p className="lede">
        Who has not done the training assigned to them, and whether it is late. Deactivated people
        are left out.
      </p>

      <ul className="stats" aria-label="Headline figures">
        <li className="stat" data-testid="figure-on-time">
          <span className="stat__value">{percent(summary.onTime.percent)}</span>
          <span className="stat__label">completed by the due date</span>
          <span className="muted small block">
            {summary.onTime.done} of {summary.onTime.of} assignments that have come due
          </span>
        </li>
        <li className="stat" data-testid="figure-completion">
          <span className="stat__value">{percent(summary.completion.percent)}</span>
          <span className="stat__label">completed overall</span>
          <span className="muted small block">
            {summary.completion.done} of {summary.completion.of} current assignments
          </span>
        </li>
        <li className="stat" data-testid="figure-overdue">
          <span className="stat__value">{summary.overdue}</span>
          <span className="stat__label">overdue</span>
          <span className="muted small block">
            {summary.notFinished} not finished in all, {summary.byStatus.waived} waived
          </span>
        </li>
      </ul>

      <div className="charts">
        <BarChart id="by-department" title="Completed, by department" data={summary.byDepartment} />
        <BarChart id="by-course" title="Completed, by course" data={summary.byCourse} />
      </div>

      <h2 id="list-title">Not finished, most urgent first</h2>
      <Form method="get" className="filters" aria-label="Filter the list">
        <FilterSelect
          label="Course"
          name="course"
          value={filter.courseSlug}
          any="All courses"
          options={options.courses.map((c) => ({ value: c.slug, label: c.title }))}
        />
        <FilterSelect
          label="Department"
          name="department"
          value={filter.department}
          any="All departments"
          options={options.departments}
        />
        <ManagerFilter
          label="Manager (whole team)"
          value={filter.managerEmail}
          any="Everyone"
          managers={options.managers}
        />
        <FilterSelect
          label="Status"
          name="status"
          value={filter.status}
          any="Any not finished"
          options={UNFINISHED_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
        />
        <button type="submit" className="button button--quiet">
          Apply filters
        </button>
      </Form>
      <p className="filters">
        <a
          className="button button--quiet"
          href={csvHref("/reports/not-finished.csv", search)}
          download
        >
          Download this list (CSV)
        </a>
        <a className="button button--quiet" href="/reports/matrix.csv" download>
          Download everyone × every course (CSV)
        </a>
      </p>
      <NudgeNotice notice={notice} />
      <AssignmentTable
        rows={list.rows}
        testId="not-finished"
        label="Not finished"
        managerHref={(email) => `?manager=${encodeURIComponent(email)}`}
        reminded={reminded}
      />
      <Pager search={search} page={list.page} pageSize={list.pageSize} total={list.total} />
    </>
  );
}
