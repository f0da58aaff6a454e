import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AdminNav, PageLinks } from "~/components/admin";
import { DataTable } from "~/components/data-table";
import { FilterSelect } from "~/components/filters";
import { AUDIT_PAGE_SIZE, listAudit, listAuditActions } from "~/models/audit.server";
import adminStyles from "~/styles/admin.css?url";
import { requireAdmin } from "~/services/session.server";
import { blankToUndefined } from "~/utils/form-values";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: MetaFunction = () => [{ title: "Audit log · Staffroom" }];

const Filter = z.object({
  action: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  who: z.preprocess(blankToUndefined, z.string().trim().max(254).optional()),
  subject: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  from: z.preprocess(blankToUndefined, z.iso.date().optional()),
  to: z.preprocess(blankToUndefined, z.iso.date().optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const parsed = Filter.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw new Response("Those filters are not valid.", { status: 400 });
  const filter = parsed.data;
  const [{ entries, total }, actions] = await Promise.all([
    listAudit(
      {
        action: filter.action,
        who: filter.who,
        subjectId: filter.subject,
        from: filter.from,
        to: filter.to,
      },
      filter.page,
    ),
    listAuditActions(),
  ]);
  return { entries, total, actions, filter, pageSize: AUDIT_PAGE_SIZE };
}

const values = (record: Record<string, unknown> | null) =>
  record
    ? Object.entries(record)
        .map(([k, v]) => `${k}: ${v === null || v === "" ? "(empty)" : String(v)}`)
        .join("; ")
    : "";

export default function AuditLog() {
  const { entries, total, actions, filter, pageSize } = useLoaderData<typeof loader>();
  return (
    <>
      <AdminNav />
      <h1>Audit log</h1>
      <p className="lede">
        Every admin action, who took it, when, and the values before and after. Entries are never
        changed or removed.
      </p>
      <Form method="get" className="filters" aria-label="Filter the audit log">
        <FilterSelect
          label="Action"
          name="action"
          value={filter.action}
          any="All actions"
          options={actions}
        />
        <label>
          Who (actor or person)
          <input type="search" name="who" defaultValue={filter.who ?? ""} placeholder="Email" />
        </label>
        <label>
          From
          <input type="date" name="from" defaultValue={filter.from ?? ""} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={filter.to ?? ""} />
        </label>
        {filter.subject ? <input type="hidden" name="subject" value={filter.subject} /> : null}
        <button type="submit" className="button button--quiet">
          Filter
        </button>
      </Form>
      <p role="status">
        {total.toLocaleString("en")} {total === 1 ? "entry" : "entries"}
        {filter.subject ? (
          <>
            {" "}
            about <Link to={`/admin/people/${filter.subject}`}>one person</Link> (
            <Link to="/admin/audit">show everyone</Link>)
          </>
        ) : null}
        .
      </p>
      <DataTable
        label="Audit entries"
        testId="audit-table"
        columns={["When (UTC)", "Who", "Action", "Person or file", "Before", "After"]}
      >
        {entries.map((e) => (
          <tr key={e.id}>
            <td>
              <time dateTime={e.createdAt}>{e.createdAt.slice(0, 19).replace("T", " ")}</time>
            </td>
            <td>{e.actor}</td>
            <td>{e.action}</td>
            <td>
              {e.subjectId ? (
                <Link to={`/admin/people/${e.subjectId}`}>{e.subject}</Link>
              ) : (
                (e.subject ?? "—")
              )}
            </td>
            <td className="small">{values(e.before)}</td>
            <td className="small">{values(e.after)}</td>
          </tr>
        ))}
      </DataTable>
      <PageLinks
        filter={filter}
        total={total}
        pageSize={pageSize}
        previous="← Newer"
        next="Older →"
      />
    </>
  );
}
