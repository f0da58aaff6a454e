import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AdminNav } from "~/components/admin";
import { DataTable } from "~/components/data-table";
import { Field } from "~/components/field";
import { DIGEST_OPTIONS, KIND_LABELS, SelectField } from "~/components/reminders";
import { actorOf } from "~/models/audit.server";
import { describeSchedule, saveSchedule, ScheduleForm } from "~/services/reminder-settings.server";
import { reminderOverview } from "~/services/reminders.server";
import { requireAdmin } from "~/services/session.server";
import adminStyles from "~/styles/admin.css?url";
import reminderStyles from "~/styles/reminders.css?url";
import { formatDay } from "~/utils/dates";
import { WEEKDAYS } from "~/utils/reminder-options";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: adminStyles },
  { rel: "stylesheet", href: reminderStyles },
];
export const meta: MetaFunction = () => [{ title: "Reminders · Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const overview = await reminderOverview();
  return { ...overview, words: describeSchedule(overview.schedule) };
}

type Errors = Partial<Record<keyof z.infer<typeof ScheduleForm>, string>>;

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireAdmin(request);
  const parsed = ScheduleForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
    const errors: Errors = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v[0]]));
    return data({ errors, saved: null }, 400);
  }
  return { errors: {} as Errors, saved: await saveSchedule(actorOf(viewer), parsed.data) };
}

/** How many people a group of "not mailed" lists by name; the rest are counted. */
const NAMES_SHOWN = 200;

export default function Reminders() {
  const { day, schedule, words, ranToday, messages, notMailed, undelivered } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Errors = result?.errors ?? {};
  return (
    <>
      <AdminNav />
      <h1>Reminders</h1>
      <p className="lede">
        Due-date reminders, escalations to line managers, team digests and a monthly summary for
        leaders: each message goes out once, and nobody gets more than one reminder a day.
      </p>
      <p>
        {schedule.automatic
          ? `Sent automatically, ${words.time}. ${ranToday ? "Today's run has happened." : "Today's run has not happened yet."}`
          : "Automatic sending is paused: nothing goes out until it is switched on again (the command line still sends)."}{" "}
        <a href="#schedule">Change the schedule</a>
      </p>

      {undelivered.length > 0 ? (
        <section aria-labelledby="undelivered-title">
          <h2 id="undelivered-title">Not delivered</h2>
          <p>
            The mail server refused these. Staffroom tries again after 5 minutes, 30 minutes, 2
            hours and 8 hours, then gives up.
          </p>
          <DataTable
            label="Messages not delivered"
            testId="undelivered"
            columns={["To", "Message", "Status", "Error"]}
          >
            {undelivered.map((m) => (
              <tr key={m.id}>
                <th scope="row">{m.to}</th>
                <td>
                  {m.subject}
                  <span className="muted small block">
                    {KIND_LABELS[m.kind]}, {formatDay(m.day)}
                  </span>
                </td>
                <td>
                  {m.status === "failed"
                    ? `Given up after ${m.attempts} attempts`
                    : `Retrying (${m.attempts} ${m.attempts === 1 ? "attempt" : "attempts"} so far; next ${m.nextAttemptAt?.slice(11, 16)} UTC)`}
                </td>
                <td>{m.error}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}

      <h2 id="dry-run-title">Today: who would be mailed</h2>
      <p>
        {messages.length === 0
          ? `Nothing would be sent today (${formatDay(day)}).`
          : `${messages.length} ${messages.length === 1 ? "message" : "messages"} would be sent today (${formatDay(day)}), if the run happened now.`}{" "}
        The same list as <code>staffroom reminders run --dry-run</code>.
      </p>
      {messages.length > 0 ? (
        <>
          <ul className="summary-counts" aria-label="Today's messages by kind">
            {Object.entries(KIND_LABELS).map(([kind, label]) => {
              const n = messages.filter((m) => m.kind === kind).length;
              return n > 0 ? (
                <li key={kind}>
                  <strong>{n}</strong> {label}
                </li>
              ) : null;
            })}
          </ul>
          <DataTable
            label="Who would be mailed today"
            testId="dry-run"
            columns={["To", "Message", "Why"]}
          >
            {messages.map((m) => (
              <tr
                key={`${m.to} ${m.kind}`}
                data-to={m.to}
                data-kind={m.kind}
                data-courses={m.courses.join(" ")}
              >
                <th scope="row">
                  {m.name}
                  <span className="muted small block">{m.to}</span>
                </th>
                <td>
                  {KIND_LABELS[m.kind]}
                  <span className="muted small block">{m.subject}</span>
                </td>
                <td>{m.reason}</td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}

      <section className="not-mailed" aria-labelledby="not-mailed-title">
        <h2 id="not-mailed-title">Who would not be mailed, and why</h2>
        {notMailed.length === 0 ? <p className="muted">Everyone is accounted for above.</p> : null}
        {notMailed.map((group) => (
          <details key={group.category} data-category={group.category}>
            <summary>
              {group.label} ({group.people.length})
            </summary>
            <ul>
              {group.people.slice(0, NAMES_SHOWN).map((p) => (
                <li key={p.email}>
                  {p.name} <span className="muted small">{p.detail}</span>
                </li>
              ))}
              {group.people.length > NAMES_SHOWN ? (
                <li>…and {group.people.length - NAMES_SHOWN} more</li>
              ) : null}
            </ul>
          </details>
        ))}
      </section>

      <h2 id="schedule">Schedule</h2>
      {result?.saved === true ? (
        <p className="notice" role="status">
          The schedule is saved; the change is in the audit log.
        </p>
      ) : result?.saved === false ? (
        <p className="notice" role="status">
          Nothing changed.
        </p>
      ) : null}
      <Form method="post" className="reminder-form" noValidate>
        <fieldset>
          <legend>Sending</legend>
          <label className="check">
            <input type="checkbox" name="automatic" defaultChecked={schedule.automatic} />
            Send automatically every day
          </label>
          <div className="field-row">
            <SelectField
              label={`From this hour (${words.timeZone} time)`}
              name="hour"
              value={schedule.hour}
              options={Array.from({ length: 24 }, (_, h) => ({
                value: h,
                label: `${String(h).padStart(2, "0")}:00`,
              }))}
            />
            <Field
              label="Organisation name in messages"
              name="orgName"
              defaultValue={schedule.orgName}
              maxLength={100}
              error={errors.orgName}
            />
          </div>
        </fieldset>
        <fieldset>
          <legend>Learners (cannot be switched off by them)</legend>
          <div className="field-row">
            <Field
              label="Days before the due date"
              name="beforeDueDays"
              hint="Up to five, e.g. 7, 1. Leave empty for none."
              defaultValue={schedule.beforeDueDays.join(", ")}
              error={errors.beforeDueDays}
            />
            <Field
              label="While overdue, every (days)"
              name="overdueEveryDays"
              type="number"
              min={0}
              max={90}
              hint="0: no reminders once overdue."
              defaultValue={schedule.overdueEveryDays}
              error={errors.overdueEveryDays}
            />
          </div>
          <label className="check">
            <input type="checkbox" name="onDueDay" defaultChecked={schedule.onDueDay} />
            On the due date
          </label>
        </fieldset>
        <fieldset>
          <legend>Line managers</legend>
          <div className="field-row">
            <Field
              label="Tell the line manager after (days overdue)"
              name="escalateAfterDays"
              type="number"
              min={0}
              max={365}
              hint="0: never."
              defaultValue={schedule.escalateAfterDays}
              error={errors.escalateAfterDays}
            />
            <Field
              label="Then at most every (days)"
              name="escalateEveryDays"
              type="number"
              min={7}
              max={365}
              hint="7 or more."
              defaultValue={schedule.escalateEveryDays}
              error={errors.escalateEveryDays}
            />
            <SelectField
              label="Team digest, unless a manager chooses otherwise"
              name="digest"
              value={schedule.digest}
              options={DIGEST_OPTIONS}
            />
            <SelectField
              label="Digest day"
              name="digestWeekday"
              value={schedule.digestWeekday}
              options={WEEKDAYS.map((day, i) => ({ value: i + 1, label: day }))}
            />
          </div>
        </fieldset>
        <fieldset>
          <legend>Leaders</legend>
          <label className="check">
            <input type="checkbox" name="leaderSummary" defaultChecked={schedule.leaderSummary} />
            Monthly summary, unless a leader switches it off
          </label>
          <Field
            label="Day of the month"
            name="leaderSummaryDay"
            type="number"
            min={1}
            max={28}
            defaultValue={schedule.leaderSummaryDay}
            error={errors.leaderSummaryDay}
          />
        </fieldset>
        <button type="submit" className="button">
          Save the schedule
        </button>
      </Form>
    </>
  );
}
