import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { StatusBadge } from "~/components/progress";
import { courseSummaries, listDepartments } from "~/models/reports.server";
import { notFinishedList, parseNotFinishedFilter } from "~/services/reports.server";
import { requireLeader } from "~/utils/auth.server";

export const meta: MetaFunction = () => [{ title: "Who has not finished · Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireLeader(request);
  const filter = parseNotFinishedFilter(new URL(request.url).searchParams);
  const [rows, summaries, departments] = await Promise.all([
    notFinishedList(filter),
    courseSummaries(),
    listDepartments(),
  ]);
  return { rows, summaries, departments, filter };
}

export default function Reports() {
  const { rows, summaries, departments, filter } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const totals = summaries.reduce(
    (t, s) => ({ people: t.people + s.people, completed: t.completed + s.completed }),
    { people: 0, completed: 0 },
  );
  const overall = totals.people === 0 ? 0 : Math.round((totals.completed / totals.people) * 100);
  return (
    <>
      <h1>Who has not finished</h1>
      <p className="lede">
        Every active person is expected to complete every published course. Overall,{" "}
        <strong>{overall}%</strong> of those course completions are done.
      </p>

      <h2>By course</h2>
      <div className="table-wrap" role="region" aria-label="Completion by course" tabIndex={0}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Completed</th>
              <th scope="col">In progress</th>
              <th scope="col">Never opened</th>
              <th scope="col">Done</th>
            </tr>
          </thead>
          <tbody>
            {summaries.map((s) => (
              <tr key={s.courseSlug}>
                <th scope="row">
                  <Link to={`?course=${encodeURIComponent(s.courseSlug)}`}>{s.courseTitle}</Link>
                </th>
                <td>{s.completed}</td>
                <td>{s.inProgress}</td>
                <td>{s.notStarted}</td>
                <td>{s.people === 0 ? "—" : `${Math.round((s.completed / s.people) * 100)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="list-title">Not finished</h2>
      <Form method="get" className="filters" aria-label="Filter the list">
        <label>
          Course
          <select name="course" defaultValue={filter.courseSlug ?? ""}>
            <option value="">All courses</option>
            {summaries.map((s) => (
              <option key={s.courseSlug} value={s.courseSlug}>
                {s.courseTitle}
              </option>
            ))}
          </select>
        </label>
        <label>
          Department
          <select name="department" defaultValue={filter.department ?? ""}>
            <option value="">All departments</option>
            {departments.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">Never opened or in progress</option>
            <option value="not_started">Never opened</option>
            <option value="in_progress">In progress</option>
          </select>
        </label>
        <button type="submit" className="button button--quiet">
          Apply filters
        </button>
        <a className="button button--quiet" href={`/reports/not-finished.csv${search}`} download>
          Download CSV
        </a>
      </Form>
      <p role="status">
        {rows.length} {rows.length === 1 ? "course not finished" : "course completions outstanding"}
        .
      </p>
      <div className="table-wrap" role="region" aria-labelledby="list-title" tabIndex={0}>
        <table className="data-table" data-testid="not-finished">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Department</th>
              <th scope="col">Manager</th>
              <th scope="col">Course</th>
              <th scope="col">Status</th>
              <th scope="col">Lessons</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.userId}-${r.courseSlug}`}>
                <th scope="row">
                  {r.name}
                  <span className="muted small block">{r.email}</span>
                </th>
                <td>{r.department ?? "—"}</td>
                <td>{r.managerName ?? "—"}</td>
                <td>{r.courseTitle}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  {r.lessonsCompleted}/{r.lessonCount}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
