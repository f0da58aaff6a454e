import { listDepartmentNames } from "~/models/departments.server";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AdminNav, PageLinks, PersonStatus } from "~/components/admin";
import { DataTable } from "~/components/data-table";
import { FilterSelect, ManagerFilter } from "~/components/filters";
import { listManagerChoices, listPeople, PEOPLE_PAGE_SIZE } from "~/models/users.server";
import adminStyles from "~/styles/admin.css?url";
import { requireAdmin } from "~/services/session.server";
import { blankToUndefined } from "~/utils/form-values";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: MetaFunction = () => [{ title: "People · Staffroom" }];

const Filter = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  department: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  manager: z.preprocess(blankToUndefined, z.string().max(254).optional()),
  role: z.preprocess(blankToUndefined, z.enum(["admin", "leader", "manager"]).optional()),
  status: z.preprocess(
    blankToUndefined,
    z.enum(["active", "deactivated", "all"]).default("active"),
  ),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(10_000).default(1)),
});

const ROLE_OPTIONS = [
  { value: "admin", label: "Admin" },
  { value: "leader", label: "Leader" },
  { value: "manager", label: "Manager (has reports)" },
];
const STATUS_OPTIONS = [
  { value: "active", label: "Active" },
  { value: "deactivated", label: "Deactivated" },
  { value: "all", label: "Active and deactivated" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const parsed = Filter.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw new Response("Those filters are not valid.", { status: 400 });
  const filter = parsed.data;
  const [{ people, total }, departments, managers] = await Promise.all([
    listPeople(
      {
        q: filter.q,
        department: filter.department,
        managerEmail: filter.manager,
        role: filter.role,
        status: filter.status === "all" ? undefined : filter.status,
      },
      filter.page,
    ),
    listDepartmentNames(),
    listManagerChoices(),
  ]);
  return { people, total, departments, managers, filter, pageSize: PEOPLE_PAGE_SIZE };
}

export default function People() {
  const { people, total, departments, managers, filter, pageSize } = useLoaderData<typeof loader>();
  const first = (filter.page - 1) * pageSize + 1;
  return (
    <>
      <AdminNav />
      <h1>People</h1>
      <p className="lede">
        Everyone on the roster. Bring the whole organisation in with a{" "}
        <Link to="/admin/import">roster CSV</Link>; open a person to edit them, send a set-password
        link, or deactivate a leaver (their training history is kept).
      </p>
      <Form method="get" className="filters" aria-label="Find people">
        <label>
          Search
          <input type="search" name="q" defaultValue={filter.q ?? ""} placeholder="Name or email" />
        </label>
        <FilterSelect
          label="Department"
          name="department"
          value={filter.department}
          any="All departments"
          options={departments}
        />
        <ManagerFilter
          label="Manager"
          value={filter.manager}
          any="Any manager"
          managers={managers}
        />
        <FilterSelect
          label="Role"
          name="role"
          value={filter.role}
          any="Any role"
          options={ROLE_OPTIONS}
        />
        <FilterSelect label="Status" name="status" value={filter.status} options={STATUS_OPTIONS} />
        <button type="submit" className="button button--quiet">
          Find
        </button>
      </Form>
      <p role="status">
        {total === 0
          ? "No one matches."
          : `${total.toLocaleString("en")} ${total === 1 ? "person" : "people"}${
              total > pageSize
                ? `; showing ${first.toLocaleString("en")}–${(first + people.length - 1).toLocaleString("en")}`
                : ""
            }.`}
      </p>
      <DataTable
        label="People"
        testId="people-table"
        columns={["Person", "Department", "Manager", "Roles", "Status", "Password"]}
      >
        {people.map((p) => (
          <tr key={p.id}>
            <th scope="row">
              <Link to={`/admin/people/${p.id}`}>{p.name}</Link>
              <span className="muted small block">{p.email}</span>
              {p.title ? <span className="muted small block">{p.title}</span> : null}
            </th>
            <td>{p.department ?? "—"}</td>
            <td>{p.managerName ?? "—"}</td>
            <td>
              {[p.isAdmin && "Admin", p.isLeader && "Leader", p.hasReports && "Manager"]
                .filter(Boolean)
                .join(", ") || "—"}
            </td>
            <td>
              <PersonStatus status={p.status} />
            </td>
            <td>{p.hasPassword ? "Set" : "Not set yet"}</td>
          </tr>
        ))}
      </DataTable>
      <PageLinks
        filter={filter}
        total={total}
        pageSize={pageSize}
        previous="← Previous"
        next="Next →"
      />
    </>
  );
}
