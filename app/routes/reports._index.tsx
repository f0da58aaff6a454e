import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useLocation } from "@remix-run/react";
import { AssignmentTable, Pager } from "~/components/assignment-table";
import { BarChart } from "~/components/chart";
import { leadershipReport, parseReportFilter } from "~/services/reports.server";
import assignmentStyles from "~/styles/assignments.css?url";
import { requireLeader } from "~/utils/auth.server";
import { STATUS_LABELS, UNFINISHED_STATUSES } from "~/utils/progress-status";

export const meta: MetaFunction = () => [{ title: "Who has not finished · Staffroom" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: assignmentStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireLeader(request);
  const filter = parseReportFilter(new URL(request.url).searchParams, UNFINISHED_STATUSES);
  return { filter, ...(await leadershipReport(filter)) };
}

const percent = (p: number | null) => (p === null ? "—" : `${p}%`);

export default function Reports() {
  const { filter, summary, list, options } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const exportParams = new URLSearchParams(search);
  exportParams.delete("page");
  const exportQuery = exportParams.size > 0 ? `?${exportParams}` : "";
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
        <label>
          Course
          <select name="course" defaultValue={filter.courseSlug ?? ""}>
            <option value="">All courses</option>
            {options.courses.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Department
          <select name="department" defaultValue={filter.department ?? ""}>
            <option value="">All departments</option>
            {options.departments.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Manager (whole team)
          <select name="manager" defaultValue={filter.managerEmail ?? ""}>
            <option value="">Everyone</option>
            {options.managers.map((m) => (
              <option key={m.email} value={m.email}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">Any not finished</option>
            {UNFINISHED_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button--quiet">
          Apply filters
        </button>
      </Form>
      <p className="filters">
        <a
          className="button button--quiet"
          href={`/reports/not-finished.csv${exportQuery}`}
          download
        >
          Download this list (CSV)
        </a>
        <a className="button button--quiet" href="/reports/matrix.csv" download>
          Download everyone × every course (CSV)
        </a>
      </p>
      <AssignmentTable
        rows={list.rows}
        testId="not-finished"
        label="Not finished"
        managerHref={(email) => `?manager=${encodeURIComponent(email)}`}
      />
      <Pager search={search} page={list.page} pageSize={list.pageSize} total={list.total} />
    </>
  );
}
