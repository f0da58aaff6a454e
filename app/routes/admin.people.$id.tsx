import { listDepartmentNames } from "~/models/departments.server";
import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { AdminNav, PersonStatus } from "~/components/admin";
import { Field, FormError } from "~/components/field";
import { actorOf, listAudit } from "~/models/audit.server";
import { getRosterPerson, normalizeEmail } from "~/models/users.server";
import { AccountError } from "~/services/accounts.server";
import { issueSetPasswordLink } from "~/services/invitations.server";
import { editPerson, PersonError, setPersonStatus } from "~/services/people.server";
import { erasePerson, PrivacyError } from "~/services/privacy.server";
import adminStyles from "~/styles/admin.css?url";
import { requireAdmin } from "~/services/session.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name ?? "Person"} · People · Staffroom` },
];

const HISTORY_SHOWN = 20;

function personId(param: string | undefined): number {
  const id = Number(param);
  if (!Number.isInteger(id) || id <= 0)
    throw new Response("There is no such person.", { status: 404 });
  return id;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const id = personId(params.id);
  const [person, departments, history] = await Promise.all([
    getRosterPerson(id),
    listDepartmentNames(),
    listAudit({ subjectId: id }),
  ]);
  if (!person) throw new Response("There is no such person.", { status: 404 });
  return { person, departments, history: history.entries.slice(0, HISTORY_SHOWN) };
}

const optionalText = (max: number) => z.string().trim().max(max, `Use at most ${max} characters.`);
const EditForm = z.object({
  email: z.email("Enter a valid email address.").max(254).transform(normalizeEmail),
  name: z.string().trim().min(1, "Enter a name.").max(200, "Use at most 200 characters."),
  department: optionalText(100),
  title: optionalText(200),
  managerEmail: z.union([
    z.literal(""),
    z.email("Enter the manager's email address, or leave it empty."),
  ]),
  admin: z.literal("on").optional(),
  leader: z.literal("on").optional(),
  hiredOn: z.union([z.literal(""), z.iso.date("Enter a date like 2024-03-01, or leave it empty.")]),
});
type EditErrors = Partial<
  Record<
    | "email"
    | "name"
    | "department"
    | "title"
    | "managerEmail"
    | "isAdmin"
    | "hiredOn"
    | "confirmEmail"
    | "form",
    string
  >
>;

// Errors about roles show beside the role boxes; account errors about passwords never arise here.
const ROLE_ERROR_FIELD: Record<string, keyof EditErrors> = {
  isLeader: "isAdmin",
  password: "form",
  current: "form",
};

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireAdmin(request);
  const actor = actorOf(viewer);
  const id = personId(params.id);
  const form = Object.fromEntries(await request.formData());
  try {
    switch (form.intent) {
      case "save": {
        const parsed = EditForm.safeParse(form);
        if (!parsed.success) {
          const fields = z.flattenError(parsed.error).fieldErrors;
          const errors: EditErrors = Object.fromEntries(
            Object.entries(fields).map(([k, v]) => [k, v?.[0]]),
          );
          return data({ intent: "save" as const, errors, saved: false, link: null }, 400);
        }
        const f = parsed.data;
        const saved = await editPerson(actor, id, {
          email: f.email,
          name: f.name,
          department: f.department || null,
          title: f.title,
          managerEmail: f.managerEmail ? normalizeEmail(f.managerEmail) : null,
          isAdmin: f.admin === "on",
          isLeader: f.leader === "on",
          hiredOn: f.hiredOn || null,
        });
        return { intent: "save" as const, errors: {} as EditErrors, saved, link: null };
      }
      case "link":
        return {
          intent: "link" as const,
          errors: {} as EditErrors,
          saved: false,
          link: await issueSetPasswordLink(actor, id),
        };
      case "deactivate":
      case "reactivate":
        await setPersonStatus(actor, id, form.intent === "deactivate" ? "deactivated" : "active");
        return { intent: form.intent, errors: {} as EditErrors, saved: false, link: null };
      case "erase": {
        // A typed confirmation: erasing cannot be undone.
        const person = await getRosterPerson(id);
        if (!person) throw new Response("There is no such person.", { status: 404 });
        if (normalizeEmail(String(form.confirmEmail ?? "")) !== person.email) {
          const errors: EditErrors = { confirmEmail: `Type ${person.email} to confirm.` };
          return data({ intent: "erase" as const, errors, saved: false, link: null }, 400);
        }
        await erasePerson(actor, id);
        return { intent: "erase" as const, errors: {} as EditErrors, saved: false, link: null };
      }
      default:
        throw new Response("Unknown action.", { status: 400 });
    }
  } catch (error) {
    if (error instanceof PrivacyError) {
      const errors: EditErrors = { form: error.message };
      return data({ intent: String(form.intent), errors, saved: false, link: null }, 400);
    }
    if (!(error instanceof PersonError) && !(error instanceof AccountError)) throw error;
    const field = ROLE_ERROR_FIELD[error.field] ?? (error.field as keyof EditErrors);
    return data(
      {
        intent: String(form.intent),
        errors: { [field]: error.message } as EditErrors,
        saved: false,
        link: null,
      },
      400,
    );
  }
}

export default function PersonPage() {
  const { person, departments, history } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: EditErrors = result?.errors ?? {};
  const roles = [
    person.isAdmin && "admin",
    person.isLeader && "leader",
    person.hasReports && "manager",
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <>
      <AdminNav />
      <p className="breadcrumb">
        <Link to="/admin/people">People</Link> › {person.name}
      </p>
      <h1>
        {person.name} <PersonStatus status={person.status} />
      </h1>
      <p className="lede">
        {person.email}
        {person.title ? ` · ${person.title}` : ""}
        {person.department ? ` · ${person.department}` : ""}
        {roles ? ` · ${roles}` : ""}
      </p>
      <FormError message={errors.form} />

      <section className="panel" aria-labelledby="signin-title">
        <h2 id="signin-title">Signing in</h2>
        <p>
          {person.hasPassword
            ? "Has set a password. A reset link lets them choose a new one; the old one stops working when they do."
            : "Has not set a password yet. Send an invitation: a one-time link to set one."}
        </p>
        {result?.link ? <IssuedLink link={result.link} /> : null}
        {person.status === "active" ? (
          <Form method="post">
            <button type="submit" name="intent" value="link" className="button">
              {person.hasPassword ? "Create a password reset link" : "Create an invitation link"}
            </button>
          </Form>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        {result?.intent === "save" &&
        !result.errors.form &&
        Object.keys(result.errors).length === 0 ? (
          <p className="notice" role="status">
            {result.saved ? "Saved." : "Nothing to change."}
          </p>
        ) : null}
        <Form method="post" noValidate key={`${person.email}-${person.name}`}>
          <div className="inline-fields">
            <Field
              label="Name"
              name="name"
              defaultValue={person.name}
              required
              error={errors.name}
            />
            <Field
              label="Email"
              name="email"
              type="email"
              defaultValue={person.email}
              required
              error={errors.email}
            />
            <Field
              label="Department"
              name="department"
              defaultValue={person.department ?? ""}
              list="departments"
              error={errors.department}
            />
            <Field label="Title" name="title" defaultValue={person.title} error={errors.title} />
            <Field
              label="Manager's email"
              name="managerEmail"
              type="email"
              defaultValue={person.managerEmail ?? ""}
              hint={person.managerName ? `Now: ${person.managerName}` : "Empty: no manager."}
              error={errors.managerEmail}
            />
            <Field
              label="Hired on"
              name="hiredOn"
              type="date"
              defaultValue={person.hiredOn ?? ""}
              error={errors.hiredOn}
            />
          </div>
          <datalist id="departments">
            {departments.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
          <fieldset
            className="checks"
            aria-describedby={errors.isAdmin ? "roles-error" : undefined}
          >
            <legend>Roles</legend>
            <label>
              <input type="checkbox" name="admin" defaultChecked={person.isAdmin} /> Admin
            </label>
            <label>
              <input type="checkbox" name="leader" defaultChecked={person.isLeader} /> Leader
            </label>
            {errors.isAdmin ? (
              <p className="field__error" id="roles-error" role="alert">
                {errors.isAdmin}
              </p>
            ) : null}
          </fieldset>
          <button type="submit" name="intent" value="save" className="button">
            Save changes
          </button>
        </Form>
      </section>

      <section className="panel" aria-labelledby="status-title">
        <h2 id="status-title">{person.status === "active" ? "Leaving" : "Deactivated"}</h2>
        {person.status === "active" ? (
          <Form method="post">
            <p>
              Deactivating ends all of {person.name}&apos;s sessions at once and removes them from
              reports. Their training history is kept, and you can reactivate them.
            </p>
            <button type="submit" name="intent" value="deactivate" className="button button--quiet">
              Deactivate {person.name}
            </button>
          </Form>
        ) : (
          <Form method="post">
            <p>{person.name} cannot log in and is not in reports. Their history is kept.</p>
            <button type="submit" name="intent" value="reactivate" className="button">
              Reactivate {person.name}
            </button>
          </Form>
        )}
      </section>

      <section className="panel" aria-labelledby="privacy-title">
        <h2 id="privacy-title">Personal data</h2>
        {result?.intent === "erase" && Object.keys(errors).length === 0 ? (
          <p className="notice" role="status">
            Erased. Their records are gone and their name and email were replaced everywhere.
          </p>
        ) : null}
        <p>
          <a href={`/admin/people/${person.id}/export`} download>
            Download everything Staffroom holds about {person.name} (JSON)
          </a>
          , for example when they ask for a copy of their data.
        </p>
        <Form method="post" noValidate>
          <p>
            Erasing deletes {person.name}&apos;s training records, sessions and links, and replaces
            their name and email everywhere in the database, the audit log included. It cannot be
            undone. To stop someone logging in, deactivate them instead.
          </p>
          <Field
            label={`Type ${person.email} to confirm`}
            name="confirmEmail"
            autoComplete="off"
            error={errors.confirmEmail}
          />
          <button type="submit" name="intent" value="erase" className="button button--quiet">
            Erase {person.name}
          </button>
        </Form>
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {history.length === 0 ? (
          <p className="muted">No admin actions yet.</p>
        ) : (
          <ul>
            {history.map((h) => (
              <li key={h.id}>
                <time dateTime={h.createdAt}>{h.createdAt.slice(0, 16).replace("T", " ")}</time>{" "}
                {h.action} by {h.actor}
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to={`/admin/audit?subject=${person.id}`}>Full history in the audit log</Link>
        </p>
      </section>
    </>
  );
}

function IssuedLink({
  link,
}: {
  link: { url: string; purpose: "invite" | "reset"; expiresAt: string; delivery: string };
}) {
  const [copied, setCopied] = useState(false);
  const where = {
    sent: "It was also emailed to them.",
    outbox: "No mail server is set up, so the email is in the outbox.",
    failed: "The mail server refused it; the email is in the outbox.",
  }[link.delivery];
  return (
    <div className="notice" role="status">
      <p>
        {link.purpose === "invite" ? "Invitation" : "Password reset"} link, valid once until{" "}
        {link.expiresAt.slice(0, 16).replace("T", " ")} UTC. Copy it now: it is not shown again.{" "}
        {where}
      </p>
      <div className="copy-link">
        <input
          readOnly
          value={link.url}
          aria-label="Set-password link"
          data-testid="set-password-link"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          className="button button--quiet"
          onClick={() => navigator.clipboard.writeText(link.url).then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
