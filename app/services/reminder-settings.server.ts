/**
 * What the reminders may do: the organisation's schedule (admins, audited), each person's own
 * choices (digest frequency, leader summary) and the signed one-click unsubscribe links.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { appendAudit, type Actor } from "~/models/audit.server";
import {
  isActive,
  mailChoices,
  messagesTo,
  putMailChoices,
  type MailChoices,
} from "~/models/reminders.server";
import { getSetting, putSetting, settingOrInsert } from "~/models/settings.server";
import { nowIso } from "~/utils/clock.server";
import { writeTransaction } from "~/utils/db.server";
import { notFound } from "~/utils/domain-errors.server";
import { env, publicOrigin } from "~/utils/env.server";
import { DIGEST_FREQUENCIES, WEEKDAYS } from "~/utils/reminder-options";

const days = (max: number) => z.number().int().min(0).max(max);

/** The organisation's schedule. Zero days switch a step off. */
const Schedule = z.object({
  /** The server sends the day's reminders by itself (the CLI and the dry run work either way). */
  automatic: z.boolean().default(true),
  /** The local hour (ORG_TIMEZONE) from which the day's run happens. */
  hour: z.number().int().min(0).max(23).default(7),
  /** Days before the due date, largest first. */
  beforeDueDays: z.array(z.number().int().min(1).max(90)).max(5).default([7, 1]),
  onDueDay: z.boolean().default(true),
  overdueEveryDays: days(90).default(7),
  escalateAfterDays: days(365).default(7),
  /** Escalations repeat at most weekly. */
  escalateEveryDays: z.number().int().min(7).max(365).default(7),
  /** For managers who have not chosen. */
  digest: z.enum(DIGEST_FREQUENCIES).default("weekly"),
  /** Monday 1 … Sunday 7. */
  digestWeekday: z.number().int().min(1).max(7).default(1),
  /** For leaders who have not chosen. */
  leaderSummary: z.boolean().default(true),
  leaderSummaryDay: z.number().int().min(1).max(28).default(1),
  orgName: z.string().trim().min(1).max(100).optional(),
});

export type ReminderSchedule = Required<z.infer<typeof Schedule>>;

const SCHEDULE_SETTING = "reminder_schedule";

/** The schedule in force: what admins saved, defaults for anything they never set. */
export async function getSchedule(): Promise<ReminderSchedule> {
  const stored = await getSetting(SCHEDULE_SETTING);
  const parsed = Schedule.parse(stored ? JSON.parse(stored) : {});
  return { ...parsed, orgName: parsed.orgName ?? (env().ORG_NAME || "Staffroom") };
}

/** Saves the schedule and audits what changed (nothing changed: nothing written). */
export async function saveSchedule(actor: Actor, next: ReminderSchedule): Promise<boolean> {
  const schedule = Schedule.parse(next) as ReminderSchedule;
  return writeTransaction(async () => {
    const current = await getSchedule();
    const keys = (Object.keys(schedule) as (keyof ReminderSchedule)[]).filter(
      (k) => JSON.stringify(current[k]) !== JSON.stringify(schedule[k]),
    );
    if (keys.length === 0) return false;
    await putSetting(SCHEDULE_SETTING, JSON.stringify(schedule));
    await appendAudit(actor, [
      {
        action: "reminders.schedule_changed",
        before: Object.fromEntries(keys.map((k) => [k, current[k]])),
        after: Object.fromEntries(keys.map((k) => [k, schedule[k]])),
      },
    ]);
    return true;
  });
}

const checked = z
  .literal("on")
  .optional()
  .transform((v) => v === "on");
const whole = (label: string, min: number, max: number) =>
  z.coerce
    .number({ message: `Enter a number for ${label}.` })
    .int(`Enter a whole number for ${label}.`)
    .min(min, `${label}: at least ${min}.`)
    .max(max, `${label}: at most ${max}.`);

/** The admin form's fields, each error beside its field. */
export const ScheduleForm = z.object({
  automatic: checked,
  hour: whole("the hour", 0, 23),
  beforeDueDays: z
    .string()
    .max(100)
    .transform((text, ctx) => {
      const parts = text.split(/[\s,]+/).filter(Boolean);
      const numbers = parts.map(Number);
      if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 90) || numbers.length > 5) {
        ctx.addIssue({
          code: "custom",
          message: "Enter up to five whole numbers of days from 1 to 90, e.g. 7, 1 (or nothing).",
        });
        return z.NEVER;
      }
      return [...new Set(numbers)].sort((a, b) => b - a);
    }),
  onDueDay: checked,
  overdueEveryDays: whole("days between overdue reminders", 0, 90),
  escalateAfterDays: whole("days overdue before the manager hears", 0, 365),
  escalateEveryDays: whole("days between escalations", 7, 365),
  digest: z.enum(DIGEST_FREQUENCIES, { message: "Choose weekly, fortnightly or off." }),
  digestWeekday: whole("the digest's weekday", 1, 7),
  leaderSummary: checked,
  leaderSummaryDay: whole("the summary's day of the month", 1, 28),
  orgName: z
    .string()
    .trim()
    .min(1, "Enter the organisation's name.")
    .max(100, "Use at most 100 characters."),
});

// ---------------------------------------------------------------------------------------------
// Each person's choices

/** What a person receives of the optional mail: their choice, else the organisation's default. */
export function effectiveChoices(
  schedule: ReminderSchedule,
  choice: MailChoices | undefined,
): MailChoices {
  return {
    digest: choice?.digest ?? schedule.digest,
    leaderSummary: choice?.leaderSummary ?? schedule.leaderSummary,
  };
}

export async function choicesOf(userId: number): Promise<MailChoices> {
  const [schedule, choices] = await Promise.all([getSchedule(), mailChoices([userId])]);
  return effectiveChoices(schedule, choices.get(userId));
}

/** Changes some of a person's choices; the others stay as they are in force now. */
export async function chooseMail(userId: number, change: Partial<MailChoices>): Promise<void> {
  await writeTransaction(async () => {
    const current = await choicesOf(userId);
    await putMailChoices(userId, { ...current, ...change }, nowIso());
  });
}

// ---------------------------------------------------------------------------------------------
// One-click unsubscribe links: signed, so that they work without logging in and name one list.

export type MailingList = "digest" | "leader_summary";
const LISTS: readonly MailingList[] = ["digest", "leader_summary"];

const SIGNING_KEY = "unsubscribe_key";
let signingKeyOnce: Promise<Buffer> | undefined;

/** Made once per installation (the first process to need it stores it), read once per process. */
function signingKey(): Promise<Buffer> {
  signingKeyOnce ??= (async () => {
    const stored =
      (await getSetting(SIGNING_KEY)) ??
      (await settingOrInsert(SIGNING_KEY, randomBytes(32).toString("base64url")));
    return Buffer.from(stored, "base64url");
  })();
  return signingKeyOnce;
}

const signature = (key: Buffer, userId: number, list: MailingList) =>
  createHmac("sha256", key).update(`unsubscribe:${userId}:${list}`).digest();

export async function unsubscribeUrl(userId: number, list: MailingList): Promise<string> {
  const sig = signature(await signingKey(), userId, list).toString("base64url");
  return `${publicOrigin()}/unsubscribe/${userId}.${list}.${sig}`;
}

/** The person and list a link names; 404 for anything not signed by this installation. */
export async function readUnsubscribeLink(token: string) {
  const [id, list, sig] = token.split(".");
  const userId = Number(id);
  const given = Buffer.from(sig ?? "", "base64url");
  if (!Number.isInteger(userId) || !LISTS.includes(list as MailingList)) throw invalidLink();
  const expected = signature(await signingKey(), userId, list as MailingList);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidLink();
  if (!(await isActive(userId))) throw invalidLink();
  return { userId, list: list as MailingList };
}

const invalidLink = () => notFound("This unsubscribe link is not valid.");

/** Stops one list for the person a link names. */
export async function unsubscribe(token: string): Promise<MailingList> {
  const { userId, list } = await readUnsubscribeLink(token);
  await chooseMail(userId, list === "digest" ? { digest: "off" } : { leaderSummary: false });
  return list;
}

export const LIST_NAMES: Record<MailingList, string> = {
  digest: "the team digest",
  leader_summary: "the monthly leadership summary",
};

// ---------------------------------------------------------------------------------------------
// The schedule in words (admin and account pages)

const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;
const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

export function describeSchedule(schedule: ReminderSchedule) {
  const learner = [
    schedule.beforeDueDays.length > 0
      ? `${list(schedule.beforeDueDays.map(String))} ${schedule.beforeDueDays.length === 1 && schedule.beforeDueDays[0] === 1 ? "day" : "days"} before the due date`
      : "",
    schedule.onDueDay ? "on the due date" : "",
    schedule.overdueEveryDays > 0 ? `every ${schedule.overdueEveryDays} days while overdue` : "",
  ].filter(Boolean);
  const weekday = WEEKDAYS[schedule.digestWeekday - 1];
  return {
    time: `daily from ${String(schedule.hour).padStart(2, "0")}:00 (${env().orgTimeZone} time)`,
    timeZone: env().orgTimeZone,
    learner: learner.length > 0 ? list(learner) : "never",
    escalation:
      schedule.escalateAfterDays > 0
        ? `when a course is ${schedule.escalateAfterDays} days overdue, then at most every ${schedule.escalateEveryDays} days`
        : "never",
    digest: {
      weekly: `weekly on ${weekday}s`,
      fortnightly: `every two weeks on ${weekday}s`,
      off: "off",
    }[schedule.digest],
    digestDay: `${weekday}s`,
    summary: `on the ${ordinal(schedule.leaderSummaryDay)} of each month`,
  };
}

const RECENT_SHOWN = 10;

/** What a person's account page says about their mail. */
export async function mailOverview(viewer: { id: number; isManager: boolean; isLeader: boolean }) {
  const [schedule, choices, recent] = await Promise.all([
    getSchedule(),
    mailChoices([viewer.id]),
    messagesTo(viewer.id, RECENT_SHOWN),
  ]);
  return {
    schedule: describeSchedule(schedule),
    orgName: schedule.orgName,
    choices: effectiveChoices(schedule, choices.get(viewer.id)),
    isManager: viewer.isManager,
    isLeader: viewer.isLeader,
    recent,
  };
}
