import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AdminNav } from "~/components/admin";
import { listOutbox, OUTBOX_PAGE_SIZE } from "~/models/outbox.server";
import adminStyles from "~/styles/admin.css?url";
import { requireAdmin } from "~/services/session.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];
export const meta: MetaFunction = () => [{ title: "Outbox · Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return { messages: await listOutbox(), limit: OUTBOX_PAGE_SIZE };
}

export default function Outbox() {
  const { messages, limit } = useLoaderData<typeof loader>();
  return (
    <>
      <AdminNav />
      <h1>Outbox</h1>
      <p className="lede">
        Mail that Staffroom did not send: without <code>SMTP_URL</code> every message lands here,
        and with it only those the mail server refused. Pass the links on yourself. The newest{" "}
        {limit} are shown; links in them work once and expire.
      </p>
      {messages.length === 0 ? <p className="muted">The outbox is empty.</p> : null}
      {messages.map((m) => (
        <article key={m.id} className="panel" aria-labelledby={`mail-${m.id}`}>
          <h2 id={`mail-${m.id}`} className="small">
            {m.subject}
          </h2>
          <p className="muted small">
            To {m.recipient} ·{" "}
            <time dateTime={m.createdAt}>{m.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
            {m.deliveryError ? ` · ${m.deliveryError}` : ""}
          </p>
          <p className="mail-body">{m.body}</p>
        </article>
      ))}
    </>
  );
}
