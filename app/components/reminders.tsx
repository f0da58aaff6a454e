import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { DIGEST_FREQUENCIES, FREQUENCY_LABELS } from "~/utils/reminder-options";

/** Each message kind as people read it. */
export const KIND_LABELS: Record<string, string> = {
  before_due: "Before the due date",
  due_today: "Due today",
  overdue: "Overdue",
  nudge: "Reminder from a person",
  escalation: "Escalation to the manager",
  digest: "Team digest",
  leader_summary: "Monthly summary",
};

export interface Reminded {
  label: string;
  today: boolean;
}

/** "Remind <name>" (once a day, so hidden once they were reminded today) and when they last were. */
export function RemindCell({
  personId,
  name,
  reminded,
}: {
  personId: number;
  name: string;
  reminded?: Reminded;
}) {
  return (
    <>
      {reminded?.today ? null : (
        <Form method="post" className="remind-form" preventScrollReset>
          <input type="hidden" name="intent" value="remind" />
          <input type="hidden" name="personId" value={personId} />
          <button type="submit" className="button button--quiet button--small">
            Remind<span className="visually-hidden"> {name}</span>
          </button>
        </Form>
      )}
      {reminded ? <span className="muted small block">{reminded.label}</span> : null}
    </>
  );
}

/** A labelled <select> in a form. */
export function SelectField({
  label,
  name,
  value,
  options,
}: {
  label: ReactNode;
  name: string;
  value: string | number;
  options: readonly { value: string | number; label: string }[];
}) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={value}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export const DIGEST_OPTIONS = DIGEST_FREQUENCIES.map((f) => ({
  value: f,
  label: FREQUENCY_LABELS[f],
}));

/** What a nudge did, announced politely. */
export function NudgeNotice({ notice }: { notice?: string }) {
  return notice ? (
    <p className="nudge-notice" role="status">
      {notice}
    </p>
  ) : null;
}
