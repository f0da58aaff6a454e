import { actorOf } from "~/models/audit.server";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DataTable } from "~/components/data-table";
import { StatusBadge } from "~/components/progress";
import { waive } from "~/services/assignments.server";
import { personReport } from "~/services/reports.server";
import assignmentStyles from "~/styles/assignments.css?url";
import { requireAdmin, requireViewer } from "~/services/session.server";
import { formatDay } from "~/utils/dates";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name ?? "Person"} · Staffroom` },
];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: assignmentStyles }];

const Params = z.object({ personId: z.coerce.number().int().positive() });

function personIdOf(params: Record<string, string | undefined>) {
  const parsed = Params.safeParse(params);
  if (!parsed.success) throw new Response("No such person.", { status: 404 });
  return parsed.data.personId;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return personReport(viewer, personIdOf(params));
}

const WaiveForm = z.object({
  assignmentId: z.coerce.number().int().positive(),
  reason: z
    .string()
    .trim()
    .min(3, "Give a reason of at least 3 characters.")
    .max(500, "Keep the reason under 500 characters."),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireAdmin(request);
  const personId = personIdOf(params);
  const form = Object.fromEntries(await request.formData());
  const parsed = WaiveForm.safeParse(form);
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors;
    if (fields.assignmentId) throw new Response("No such assignment.", { status: 400 });
    return data({ assignmentId: Number(form.assignmentId), error: fields.reason?.[0] }, 400);
  }
  await waive(actorOf(viewer), personId, parsed.data.assignmentId, parsed.data.reason);
  return redirect(`/people/${personId}`);
}

export default function Person() {
  const { person, rows, canWaive } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errorFor = (id: number) =>
    actionData?.assignmentId === id ? (actionData.error ?? "Give a reason.") : undefined;
  return (
    <>
      <h1>{person.name}</h1>
      <p className="lede">
        {[person.title, person.department, person.managerName && `reports to ${person.managerName}`]
          .filter(Boolean)
          .join(" · ")}
        {person.hiredOn ? ` · hired ${person.hiredOn}` : ""}
        {person.deactivated ? " · deactivated (history only)" : ""}
      </p>
      <DataTable
        label="Assigned courses"
        testId="person-courses"
        columns={[
          "Course",
          "Status",
          "Due",
          "Completed",
          "Lessons",
          "Last activity",
          canWaive && "Waive",
        ]}
      >
        {rows.map((r) => (
          <tr key={r.assignmentId}>
            <th scope="row">
              {r.courseTitle}
              {r.cycle > 1 || !r.isCurrent ? (
                <span className="muted small block">
                  Cycle {r.cycle}
                  {r.isCurrent ? "" : " (earlier)"}
                </span>
              ) : null}
              {r.removed ? <span className="muted small block">No longer assigned</span> : null}
            </th>
            <td>
              <StatusBadge status={r.status} />
              {r.waivedReason ? (
                <span className="muted small block">Reason: {r.waivedReason}</span>
              ) : null}
            </td>
            <td>{r.dueOn}</td>
            <td>{r.completedOn ? formatDay(r.completedOn) : "—"}</td>
            <td>
              {r.lessonsCompleted}/{r.lessonCount}
            </td>
            <td>{r.lastActivityOn ? formatDay(r.lastActivityOn) : "Never opened"}</td>
            {canWaive ? (
              <td>
                {r.isCurrent && !r.removed && r.status !== "waived" ? (
                  <Form method="post" className="waive-form">
                    <input type="hidden" name="assignmentId" value={r.assignmentId} />
                    <label>
                      <span className="small block">Reason for waiving {r.courseTitle}</span>
                      <input
                        name="reason"
                        required
                        minLength={3}
                        maxLength={500}
                        aria-invalid={errorFor(r.assignmentId) ? true : undefined}
                        aria-describedby={
                          errorFor(r.assignmentId) ? `waive-error-${r.assignmentId}` : undefined
                        }
                      />
                    </label>
                    <button type="submit" className="button button--quiet">
                      Waive
                    </button>
                    {errorFor(r.assignmentId) ? (
                      <p className="field__error" id={`waive-error-${r.assignmentId}`} role="alert">
                        {errorFor(r.assignmentId)}
                      </p>
                    ) : null}
                  </Form>
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </DataTable>
      {rows.length === 0 ? <p>No courses are assigned to {person.name}.</p> : null}
    </>
  );
}
