import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { StatusBadge } from "~/components/progress";
import { teamOverview } from "~/services/reports.server";
import { requireManager } from "~/utils/auth.server";

export const meta: MetaFunction = () => [{ title: "My team · Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireManager(request);
  return teamOverview(viewer.id);
}

export default function Team() {
  const { courses, people } = useLoaderData<typeof loader>();
  const finished = people.filter((p) =>
    courses.every((c) => p.courses[c.slug]?.status === "completed"),
  ).length;
  return (
    <>
      <h1>My team</h1>
      <p className="lede">
        {people.length} {people.length === 1 ? "person reports" : "people report"} to you directly
        or through their managers; {finished} of them have finished every course.
      </p>
      <div className="table-wrap" role="region" aria-label="Team progress" tabIndex={0}>
        <table className="data-table" data-testid="team-table">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Department</th>
              <th scope="col">Manager</th>
              {courses.map((c) => (
                <th scope="col" key={c.slug}>
                  {c.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.email}>
                <th scope="row">
                  {person.name}
                  <span className="muted small block">{person.email}</span>
                </th>
                <td>{person.department ?? "—"}</td>
                <td>{person.managerName ?? "—"}</td>
                {courses.map((c) => {
                  const cell = person.courses[c.slug];
                  return (
                    <td key={c.slug}>
                      {cell ? (
                        <>
                          <StatusBadge status={cell.status} />
                          <span className="muted small block">
                            {cell.lessonsCompleted}/{cell.lessonCount}
                          </span>
                        </>
                      ) : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
