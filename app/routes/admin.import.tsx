import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { AdminNav } from "~/components/admin";
import { DataTable } from "~/components/data-table";
import { actorOf } from "~/models/audit.server";
import {
  applyUpload,
  MAX_ROSTER_ROWS,
  previewUpload,
  ROSTER_COLUMNS,
  RosterImportError,
  type RosterPreview,
  type RosterProblem,
} from "~/services/roster-import.server";
import adminStyles from "~/styles/admin.css?url";
import { requireAdmin } from "~/services/session.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: MetaFunction = () => [{ title: "Import a roster · Staffroom" }];

/** How many rows of each list the preview shows; the counts are always complete. */
const SHOWN = 200;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return { columns: ROSTER_COLUMNS, maxRows: MAX_ROSTER_ROWS };
}

const ApplyForm = z.object({
  uploadId: z.coerce.number().int().positive(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  deactivate: z.array(z.string().max(254)).max(MAX_ROSTER_ROWS),
});

/** What the page shows: counts in full, lists cut to SHOWN rows. */
function shown(preview: RosterPreview, uploadId: number | null) {
  return {
    fileName: preview.fileName,
    rowCount: preview.rowCount,
    counts: {
      creates: preview.creates.length,
      updates: preview.updates.length,
      unchanged: preview.unchanged,
      absent: preview.absent.length,
      problems: preview.problems.length,
    },
    creates: preview.creates.slice(0, SHOWN),
    updates: preview.updates.slice(0, SHOWN),
    deactivatedInFile: preview.deactivatedInFile.slice(0, SHOWN),
    absent: preview.absent.slice(0, SHOWN),
    problems: preview.problems.slice(0, SHOWN),
    digest: preview.digest,
    uploadId,
  };
}

const refused = (fileName: string, problems: RosterProblem[]) =>
  data({ step: "problems" as const, fileName, problems, count: problems.length }, 400);

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireAdmin(request);
  const actor = actorOf(viewer);

  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    // The server has bounded the body already (utils/request-body.server.ts).
    const form = await request.formData().catch(() => {
      throw new Response("This upload is malformed: it is not a valid multipart form.", {
        status: 400,
      });
    });
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) {
      return refused("", [
        { line: null, column: null, columnLetter: null, message: "Choose a CSV file to upload." },
      ]);
    }
    const { preview, uploadId } = await previewUpload(
      actor,
      file.name.slice(0, 200) || "roster.csv",
      new Uint8Array(await file.arrayBuffer()),
    );
    if (preview.problems.length > 0) return refused(preview.fileName, preview.problems);
    return { step: "preview" as const, ...shown(preview, uploadId), changed: false };
  }

  const form = await request.formData();
  const parsed = ApplyForm.safeParse({
    uploadId: form.get("uploadId"),
    digest: form.get("digest"),
    deactivate: form.getAll("deactivate"),
  });
  if (!parsed.success) throw new Response("That import request is not valid.", { status: 400 });
  try {
    const result = await applyUpload(actor, parsed.data.uploadId, {
      deactivate: parsed.data.deactivate,
      expectedDigest: parsed.data.digest,
    });
    if (result.status === "changed") {
      return {
        step: "preview" as const,
        ...shown(result.preview, parsed.data.uploadId),
        changed: true,
      };
    }
    return { step: "applied" as const, summary: result.summary };
  } catch (error) {
    if (!(error instanceof RosterImportError)) throw error;
    return refused("the file", error.problems);
  }
}

export default function ImportRoster() {
  const { columns, maxRows } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <AdminNav />
      <h1>Import a roster</h1>
      {result?.step === "applied" ? (
        <div className="notice" role="status" data-testid="import-applied">
          <p>
            <strong>Import applied.</strong> {result.summary.created} created,{" "}
            {result.summary.updated} updated, {result.summary.unchanged} unchanged
            {result.summary.deactivated ? `, ${result.summary.deactivated} deactivated` : ""}.
          </p>
          <p>
            <Link to="/admin/people">See everyone in the people list</Link>
          </p>
        </div>
      ) : null}
      {result?.step === "preview" ? (
        <Preview preview={result} busy={busy} />
      ) : (
        <UploadForm
          busy={busy}
          columns={columns}
          maxRows={maxRows}
          problems={result?.step === "problems" ? result : null}
        />
      )}
    </>
  );
}

function UploadForm({
  busy,
  columns,
  maxRows,
  problems,
}: {
  busy: boolean;
  columns: readonly string[];
  maxRows: number;
  problems: { fileName: string; problems: RosterProblem[]; count: number } | null;
}) {
  return (
    <>
      <p className="lede">
        Upload your staff list as a CSV file (UTF-8, as Excel&apos;s &ldquo;CSV UTF-8&rdquo; saves
        it). You will see exactly what changes before anything is applied, and a file with any
        problem changes nothing.
      </p>
      <details className="panel">
        <summary>The columns</summary>
        <p>
          A header row with <code>{columns.join(",")}</code>, then one person per row (at most{" "}
          {maxRows.toLocaleString("en")}).
        </p>
        <ul>
          <li>
            <code>email</code> identifies the person (capital letters do not matter);{" "}
            <code>name</code> is required.
          </li>
          <li>
            <code>manager_email</code> is the email of the person they report to: someone in the
            file (before or after them) or already in Staffroom. Managers follow from it.
          </li>
          <li>
            <code>roles</code> is empty, <code>admin</code>, <code>leader</code> or{" "}
            <code>admin;leader</code>. <code>hired_on</code> is empty or a date like 2024-03-01.
          </li>
          <li>
            People who are not in the file are kept; the preview lists them so that you can
            deactivate leavers.
          </li>
        </ul>
      </details>
      {problems ? (
        <section className="panel" aria-labelledby="problems-title" data-testid="import-problems">
          <div role="alert">
            <h2 id="problems-title">
              {problems.count} {problems.count === 1 ? "problem" : "problems"}
              {problems.fileName ? ` in ${problems.fileName}` : ""}: nothing was imported
            </h2>
          </div>
          <p>Correct the file and upload it again.</p>
          <ProblemTable problems={problems.problems} />
          {problems.count > problems.problems.length ? (
            <p className="muted">
              The first {problems.problems.length} are shown; `staffroom users import --dry-run`
              lists them all.
            </p>
          ) : null}
        </section>
      ) : null}
      <Form method="post" encType="multipart/form-data" className="panel">
        <div className="field">
          <label htmlFor="file">Roster file (.csv)</label>
          <input id="file" name="file" type="file" accept=".csv,text/csv" required />
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Checking…" : "Preview the import"}
        </button>
      </Form>
    </>
  );
}

function ProblemTable({ problems }: { problems: RosterProblem[] }) {
  return (
    <DataTable label="Problems" columns={["Line", "Column", "Problem"]}>
      {problems.map((p, i) => (
        <tr key={i}>
          <td>{p.line ?? "—"}</td>
          <td>{p.column ? `${p.columnLetter} (${p.column})` : "—"}</td>
          <td>{p.message}</td>
        </tr>
      ))}
    </DataTable>
  );
}

type Shown = ReturnType<typeof shown> & { changed: boolean };

const display = (value: unknown) =>
  value === null || value === ""
    ? "(empty)"
    : typeof value === "boolean"
      ? value
        ? "yes"
        : "no"
      : String(value);

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  department: "Department",
  title: "Title",
  managerEmail: "Manager",
  isAdmin: "Admin",
  isLeader: "Leader",
  hiredOn: "Hired on",
};

function Preview({ preview, busy }: { preview: Shown; busy: boolean }) {
  const { counts } = preview;
  const nothing = counts.creates + counts.updates === 0;
  const more = (n: number, listed: number) =>
    n > listed ? <p className="muted">…and {(n - listed).toLocaleString("en")} more.</p> : null;
  return (
    <section aria-labelledby="preview-title" data-testid="import-preview">
      <h2 id="preview-title">Preview of {preview.fileName}</h2>
      {preview.changed ? (
        <p className="notice notice--warn" role="alert">
          The roster changed since you previewed this file. This is the new preview; check it and
          apply again.
        </p>
      ) : null}
      <ul className="summary-counts">
        <li>
          <strong>{counts.creates.toLocaleString("en")}</strong> to create
        </li>
        <li>
          <strong>{counts.updates.toLocaleString("en")}</strong> to update
        </li>
        <li>
          <strong>{counts.unchanged.toLocaleString("en")}</strong> unchanged
        </li>
        <li>
          <strong>{counts.absent.toLocaleString("en")}</strong> not in the file
        </li>
        <li>
          <strong>0</strong> errors
        </li>
      </ul>

      <Form method="post">
        <input type="hidden" name="uploadId" value={preview.uploadId ?? ""} />
        <input type="hidden" name="digest" value={preview.digest} />

        <h3>To create ({counts.creates.toLocaleString("en")})</h3>
        {counts.creates === 0 ? (
          <p className="muted">No one new.</p>
        ) : (
          <DataTable
            label="People to create"
            testId="preview-creates"
            columns={["Line", "Person", "Department", "Manager", "Roles"]}
          >
            {preview.creates.map((c) => (
              <tr key={c.email}>
                <td>{c.line}</td>
                <th scope="row">
                  {c.name}
                  <span className="muted small block">{c.email}</span>
                </th>
                <td>{c.department ?? "—"}</td>
                <td>{c.managerEmail ?? "—"}</td>
                <td>
                  {[c.isAdmin && "admin", c.isLeader && "leader"].filter(Boolean).join(", ") || "—"}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {more(counts.creates, preview.creates.length)}

        <h3>To update ({counts.updates.toLocaleString("en")})</h3>
        {counts.updates === 0 ? (
          <p className="muted">No changes to people already in Staffroom.</p>
        ) : (
          <DataTable
            label="People to update"
            testId="preview-updates"
            columns={["Line", "Person", "Changes"]}
          >
            {preview.updates.map((u) => (
              <tr key={u.email}>
                <td>{u.line}</td>
                <th scope="row">
                  {u.name}
                  <span className="muted small block">{u.email}</span>
                </th>
                <td>
                  <ul className="change-list">
                    {Object.keys(u.after).map((field) => (
                      <li key={field}>
                        {FIELD_LABELS[field] ?? field}:{" "}
                        <del>{display(u.before[field as keyof typeof u.before])}</del> →{" "}
                        <ins>{display(u.after[field as keyof typeof u.after])}</ins>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {more(counts.updates, preview.updates.length)}
        {preview.deactivatedInFile.length > 0 ? (
          <p className="notice notice--warn">
            In the file but deactivated in Staffroom (their details are updated; they stay
            deactivated until you reactivate them on their page):{" "}
            {preview.deactivatedInFile.map((d) => `${d.name} (line ${d.line})`).join(", ")}.
          </p>
        ) : null}

        <h3>In Staffroom but not in this file ({counts.absent.toLocaleString("en")})</h3>
        {counts.absent === 0 ? (
          <p className="muted">Everyone active in Staffroom is in the file.</p>
        ) : (
          <>
            <p>
              They stay as they are. Tick leavers to deactivate them with this import: their
              sessions end and their training history is kept.
            </p>
            <fieldset className="checks" data-testid="preview-absent">
              <legend>Deactivate leavers</legend>
              {preview.absent.map((a) => (
                <label key={a.email} className="block">
                  <input type="checkbox" name="deactivate" value={a.email} /> Deactivate {a.name}{" "}
                  <span className="muted small">
                    {a.email}
                    {a.department ? ` · ${a.department}` : ""}
                  </span>
                </label>
              ))}
            </fieldset>
            {more(counts.absent, preview.absent.length)}
          </>
        )}

        <p>
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Applying…" : nothing ? "Apply (deactivations only)" : "Apply the import"}
          </button>{" "}
          <Link to="/admin/import" reloadDocument>
            Cancel and upload another file
          </Link>
        </p>
      </Form>
    </section>
  );
}
