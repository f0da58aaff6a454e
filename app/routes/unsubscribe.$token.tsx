import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { LIST_NAMES, readUnsubscribeLink, unsubscribe } from "~/services/reminder-settings.server";

export const meta: MetaFunction = () => [{ title: "Unsubscribe · Staffroom" }];

// The link in a digest or summary: signed (the service checks it), so it needs no login. A GET
// changes nothing, because mail scanners open links; the one button does.

export async function loader({ params }: LoaderFunctionArgs) {
  const { list } = await readUnsubscribeLink(params.token ?? "");
  return { list: LIST_NAMES[list] };
}

export async function action({ params }: ActionFunctionArgs) {
  return { done: LIST_NAMES[await unsubscribe(params.token ?? "")] };
}

export default function Unsubscribe() {
  const { list } = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>()?.done;
  return (
    <section className="auth-card" aria-labelledby="unsubscribe-title">
      <h1 id="unsubscribe-title">Unsubscribe</h1>
      {done ? (
        <p role="status">
          {`Done: you will no longer get ${done}. You can switch it back on from `}
          <Link to="/account">your account page</Link>.
        </p>
      ) : (
        <Form method="post">
          <p>{`Stop getting ${list} by email?`}</p>
          <button type="submit" className="button">
            Unsubscribe
          </button>
        </Form>
      )}
    </section>
  );
}
