import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DIGEST_OPTIONS, KIND_LABELS, SelectField } from "~/components/reminders";
import { chooseMail, mailOverview } from "~/services/reminder-settings.server";
import { requireViewer } from "~/services/session.server";
import reminderStyles from "~/styles/reminders.css?url";
import { formatDay } from "~/utils/dates";
import { DIGEST_FREQUENCIES } from "~/utils/reminder-options";

export const meta: MetaFunction = () => [{ title: "Your account · Staffroom" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: reminderStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return { name: viewer.name, email: viewer.email, ...(await mailOverview(viewer)) };
}

const ChoicesForm = z.object({
  digest: z
    .enum(DIGEST_FREQUENCIES, { message: "Choose weekly, every two weeks or off." })
    .optional(),
  leaderSummary: z.enum(["on", "off"], { message: "Choose on or off." }).optional(),
});

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const parsed = ChoicesForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ saved: false, error: parsed.error.issues[0]?.message }, 400);
  // Only the choices a person has: a digest for managers, the summary for leaders.
  await chooseMail(viewer.id, {
    ...(viewer.isManager && parsed.data.digest ? { digest: parsed.data.digest } : {}),
    ...(viewer.isLeader && parsed.data.leaderSummary
      ? { leaderSummary: parsed.data.leaderSummary === "on" }
      : {}),
  });
  return { saved: true, error: undefined };
}

export default function Account() {
  const { name, email, schedule, orgName, choices, isManager, isLeader, recent } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>Your account</h1>
      <p className="lede">
        {name}, {email}. <Link to="/account/password">Change your password</Link>
      </p>

      <h2 id="mail-title">Messages you get</h2>
      {result?.saved ? (
        <p className="nudge-notice" role="status">
          Saved.
        </p>
      ) : null}
      {result?.error ? (
        <p className="form-error" role="alert">
          {result.error}
        </p>
      ) : null}
      <ul className="mail-list" aria-labelledby="mail-title">
        <li>
          <strong>Due-date reminders</strong> about the training {orgName} assigned to you:{" "}
          {schedule.learner}. One message a day at most, listing every course that needs you. These
          cannot be switched off: the training is required, and they are the only notice you get
          before it is late.
        </li>
        <li>
          <strong>Reminders from a person</strong>: your manager or leadership can ask Staffroom to
          remind you, at most once a day (counting the reminders above).
        </li>
        {isManager ? (
          <li>
            <strong>When someone in your team falls behind</strong>: as their line manager you hear{" "}
            {schedule.escalation}. These cannot be switched off.
          </li>
        ) : null}
      </ul>
      {isManager || isLeader ? (
        <Form method="post" className="mail-choices">
          {isManager ? (
            <SelectField
              label={`Team digest, on ${schedule.digestDay}: what is overdue or not started in your team`}
              name="digest"
              value={choices.digest}
              options={DIGEST_OPTIONS}
            />
          ) : null}
          {isLeader ? (
            <SelectField
              label={`Monthly summary of the headline figures (${schedule.summary})`}
              name="leaderSummary"
              value={choices.leaderSummary ? "on" : "off"}
              options={[
                { value: "on", label: "On" },
                { value: "off", label: "Off" },
              ]}
            />
          ) : null}
          <button type="submit" className="button">
            Save my choices
          </button>
        </Form>
      ) : null}

      <h2>Recently sent to you</h2>
      {recent.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className="mail-list" data-testid="recent-mail">
          {recent.map((m) => (
            <li key={m.id}>
              {m.subject}
              <span className="muted small block">
                {KIND_LABELS[m.kind]}, {formatDay(m.day)}
                {m.status === "sent"
                  ? ""
                  : ` (${m.status === "failed" ? "not delivered" : "being delivered"})`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
