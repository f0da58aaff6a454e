/**
 * Reminders and escalation (issue 13): who is told what, when, exactly once.
 *
 * A day's run plans every message from the assignments, the roster and what was sent before,
 * then claims each one in a write transaction — a row per recipient, channel and day, and a row
 * per step it covers, both unique — and only then sends it. Whoever loses a claim (another worker,
 * the CLI beside the server) sends nothing. A refused send is retried with backoff and never
 * recorded as sent; a crash between claim and send leaves a lease that runs out, and the message
 * is taken over then. See README, "Design decisions".
 *
 * Steps are windows, not single days: a reminder missed on its day (server down, the daily cap)
 * goes out on a later day of the same window, and a later step supersedes an earlier one.
 */
import { z } from "zod";
import type { ReminderChannel, ReminderKind } from "#db/schema";
import { actorOf, appendAudit } from "~/models/audit.server";
import { lastJobStart } from "~/models/jobs.server";
import {
  coveredItems,
  currentAssignments,
  getMessage,
  insertItems,
  insertMessage,
  isActive,
  itemKey,
  lastLearnerMessages,
  leaseNextDue,
  mailChoices,
  markAttemptFailed,
  markSent,
  messagesOn,
  rosterLines,
  stillOpen,
  undeliveredMessages,
  type CurrentAssignment,
  type MailChoices,
  type NewMessage,
  type ReminderItem,
  type RosterLine,
} from "~/models/reminders.server";
import { statusCounts } from "~/models/reports.server";
import { getRosterPerson, reportIds, type Viewer } from "~/models/users.server";
import { claimPeriod } from "~/services/jobs.server";
import {
  digestLetter,
  dueSummary,
  escalationLetter,
  learnerLetter,
  leaderSummaryLetter,
  monthWords,
  plural,
  render,
  type CourseLine,
  type MailContext,
  type Letter,
  type TeamLine,
} from "~/services/reminder-mail.server";
import {
  effectiveChoices,
  getSchedule,
  unsubscribeUrl,
  type MailingList,
  type ReminderSchedule,
} from "~/services/reminder-settings.server";
import { deliverMail, mailDomain } from "~/services/mail.server";
import { summarise } from "~/services/reports.server";
import {
  addDays,
  daysBetween,
  hourOf,
  isoWeekOf,
  startOfDay,
  today,
  type Day,
} from "~/utils/calendar.server";
import { now, nowIso } from "~/utils/clock.server";
import { writeTransaction } from "~/utils/db.server";
import { groupBy } from "~/utils/group-by";
import { notAllowed, notFound } from "~/utils/domain-errors.server";
import { publicOrigin } from "~/utils/env.server";

// ---------------------------------------------------------------------------------------------
// Steps: which reminder an assignment is due on a day

type LearnerStepKind = "before_due" | "due_today" | "overdue";

/** The learner's step an open assignment is at, `daysLeft` days from its due date. */
function learnerStep(
  schedule: ReminderSchedule,
  daysLeft: number,
  stale: boolean,
): { kind: LearnerStepKind; step: string } | null {
  if (daysLeft > 0) {
    // The nearest configured day at or beyond today: 7 covers days 7…2 when the next is 1.
    const at = Math.min(...schedule.beforeDueDays.filter((d) => d >= daysLeft));
    return Number.isFinite(at) ? { kind: "before_due", step: `before:${at}` } : null;
  }
  if (daysLeft === 0) return schedule.onDueDay ? { kind: "due_today", step: "due" } : null;
  // The reports do not count a course updated since completion as overdue; neither do we.
  const late = -daysLeft;
  if (stale || schedule.overdueEveryDays === 0 || late < schedule.overdueEveryDays) return null;
  return { kind: "overdue", step: `overdue:${Math.floor(late / schedule.overdueEveryDays)}` };
}

/** The escalation step of an assignment `daysLeft` from its due date, if it has reached one. */
function escalationStep(schedule: ReminderSchedule, daysLeft: number, stale: boolean) {
  const late = -daysLeft;
  if (stale || schedule.escalateAfterDays === 0 || late < schedule.escalateAfterDays) return null;
  return `escalation:${Math.floor((late - schedule.escalateAfterDays) / schedule.escalateEveryDays)}`;
}

/** The first day after `day` on which the assignment reaches a learner step (for the dry run). */
function nextStepDay(schedule: ReminderSchedule, dueOn: Day, day: Day, stale: boolean) {
  const candidates = schedule.beforeDueDays.map((d) => addDays(dueOn, -d));
  if (schedule.onDueDay) candidates.push(dueOn);
  const every = schedule.overdueEveryDays;
  if (every > 0 && !stale) {
    const late = daysBetween(dueOn, day);
    candidates.push(addDays(dueOn, Math.max(1, Math.floor(late / every) + 1) * every));
  }
  return candidates.filter((d) => d > day).sort()[0];
}

const EPOCH_MONDAY = "1970-01-05";

/** The digest period `day` falls in, once its weekday has come; null before that. */
function digestStep(day: Day, frequency: "weekly" | "fortnightly", weekday: number) {
  const week = Math.floor(daysBetween(EPOCH_MONDAY, day) / 7);
  const first = frequency === "fortnightly" ? week - (week % 2) : week;
  const start = addDays(EPOCH_MONDAY, first * 7);
  if (day < addDays(start, weekday - 1)) return null;
  return `${frequency === "weekly" ? "week" : "fortnight"}:${isoWeekOf(start)}`;
}

function leaderSummaryStep(day: Day, dayOfMonth: number) {
  return Number(day.slice(8, 10)) >= dayOfMonth ? `month:${day.slice(0, 7)}` : null;
}

// ---------------------------------------------------------------------------------------------
// The plan: every message due today, and everyone who gets none and why

export interface PlannedMessage {
  recipientId: number;
  to: string;
  /** The recipient's name. */
  name: string;
  channel: ReminderChannel;
  kind: ReminderKind;
  /** Whose training, for messages about the recipient's own. */
  person: string | null;
  /** Whose training the message is about (escalations and digests: the team members named). */
  people: string[];
  courses: string[];
  /** What and why, in one line. */
  reason: string;
  items: ReminderItem[];
  letter: Letter;
  unsubscribeList: MailingList | null;
  nudgedBy?: number;
}

export const NOT_MAILED = {
  deactivated: "Deactivated",
  completed: "Completed everything assigned",
  waived: "Completed or waived everything",
  already_reminded: "Already reminded for this step",
  daily_cap: "Already had a message today (one a day)",
  not_due: "Nothing due for a reminder today",
  updated: "Only courses updated since completion, with no due date ahead",
  no_manager: "Overdue, but no active line manager to tell",
  digest_off: "Digest switched off",
  nothing_to_say: "Digest skipped: nothing overdue or unstarted",
  digest_waits: "Digest waits a day: they get an escalation today",
  summary_off: "Monthly summary switched off",
} as const;

export type NotMailedCategory = keyof typeof NOT_MAILED;

export interface NotMailed {
  name: string;
  email: string;
  category: NotMailedCategory;
  detail: string;
}

export interface ReminderPlan {
  day: Day;
  messages: PlannedMessage[];
  notMailed: NotMailed[];
}

const UNFINISHED = new Set(["stale", "in_progress", "not_started"]);
const isOpen = (a: CurrentAssignment) => UNFINISHED.has(a.state);
const URGENCY: LearnerStepKind[] = ["overdue", "due_today", "before_due"];

/** Everyone under each person, at any depth (as `reportIds`, from one read of the roster). */
function subtrees(roster: RosterLine[]): (managerId: number) => number[] {
  const children = groupBy(
    roster.filter((p) => p.managerId !== null),
    (p) => p.managerId!,
  );
  const memo = new Map<number, number[]>();
  const below = (id: number, seen = new Set<number>()): number[] => {
    if (memo.has(id)) return memo.get(id)!;
    seen.add(id);
    const direct = (children.get(id) ?? []).filter((c) => !seen.has(c.id));
    const all = direct.flatMap((c) => [c.id, ...below(c.id, seen)]);
    memo.set(id, all);
    return all;
  };
  return below;
}

const courseLine = (a: CurrentAssignment, day: Day): CourseLine => ({
  courseSlug: a.courseSlug,
  courseTitle: a.courseTitle,
  dueOn: a.dueOn,
  daysLeft: daysBetween(day, a.dueOn),
});

const teamLine = (a: CurrentAssignment, day: Day): TeamLine => ({
  ...courseLine(a, day),
  personId: a.userId,
  personName: a.name,
});

const unique = <T>(values: T[]) => [...new Set(values)];

const byDue = (x: CourseLine, y: CourseLine) => x.daysLeft - y.daysLeft;

/** A step one assignment reached, not yet covered. */
interface Due {
  assignment: CurrentAssignment;
  kind: ReminderKind;
  step: string;
}

const itemOf = ({ assignment, kind, step }: Due): ReminderItem => ({
  personId: assignment.userId,
  assignmentId: assignment.assignmentId,
  kind,
  step,
});

/** What a plan reads once, and what its parts add to. */
interface Planning {
  day: Day;
  schedule: ReminderSchedule;
  ctx: MailContext;
  roster: RosterLine[];
  people: Map<number, RosterLine>;
  /** Each person's current assignments. */
  assignments: Map<number, CurrentAssignment[]>;
  choices: Map<number, MailChoices>;
  /** Item key → when it was recorded. */
  covered: Map<string, string>;
  /** "recipient channel" of the messages already sent today. */
  busy: Set<string>;
  messages: PlannedMessage[];
  skip: (p: { name: string; email: string }, category: NotMailedCategory, detail?: string) => void;
}

/** Learners: one message a day, about every course that reached a step not yet covered. */
function planLearners(p: Planning) {
  for (const [userId, rows] of p.assignments) {
    const person = p.people.get(userId)!;
    const open = rows.filter(isOpen);
    if (!person.active) {
      if (open.length > 0) p.skip(person, "deactivated", `${plural(open.length, "course")} open`);
      continue;
    }
    if (open.length === 0) {
      const waived = rows.filter((a) => a.state === "waived").length;
      if (waived > 0) p.skip(person, "waived", `${waived} waived`);
      else p.skip(person, "completed", plural(rows.length, "course"));
      continue;
    }
    const reached = open.flatMap((assignment) => {
      const daysLeft = daysBetween(p.day, assignment.dueOn);
      const step = learnerStep(p.schedule, daysLeft, assignment.state === "stale");
      return step ? [{ assignment, ...step }] : [];
    });
    const due = reached.filter((r) => !p.covered.has(itemKey(itemOf(r))));
    if (due.length > 0 && p.busy.has(`${userId} learner`)) {
      p.skip(person, "daily_cap");
    } else if (due.length > 0) {
      const lines = due.map((d) => courseLine(d.assignment, p.day)).sort(byDue);
      const kind = URGENCY.find((k) => due.some((d) => d.kind === k))!;
      p.messages.push({
        recipientId: userId,
        to: person.email,
        name: person.name,
        channel: "learner",
        kind,
        person: person.email,
        people: [person.email],
        courses: lines.map((l) => l.courseSlug),
        reason: dueSummary(lines),
        items: due.map(itemOf),
        letter: learnerLetter(p.ctx, person, kind, lines),
        unsubscribeList: null,
      });
    } else if (reached.length > 0) {
      const last = reached.map((r) => p.covered.get(itemKey(itemOf(r)))!).sort();
      p.skip(person, "already_reminded", `on ${last.at(-1)!.slice(0, 10)}`);
    } else {
      const next = open
        .map((a) => nextStepDay(p.schedule, a.dueOn, p.day, a.state === "stale"))
        .filter((d) => d !== undefined)
        .sort()[0];
      if (next) p.skip(person, "not_due", `next on ${next}`);
      else p.skip(person, "updated");
    }
  }
}

/**
 * Escalations: to each person's line manager as the roster has it now, every report's courses
 * in one message. Returns the managers who have one today.
 */
function planEscalations(p: Planning): Set<number> {
  const byManager = new Map<number, Due[]>();
  for (const [userId, rows] of p.assignments) {
    const person = p.people.get(userId)!;
    if (!person.active) continue;
    const due = rows.filter(isOpen).flatMap((assignment): Due[] => {
      const daysLeft = daysBetween(p.day, assignment.dueOn);
      const step = escalationStep(p.schedule, daysLeft, assignment.state === "stale");
      const item = step ? { assignment, kind: "escalation" as const, step } : null;
      return item && !p.covered.has(itemKey(itemOf(item))) ? [item] : [];
    });
    if (due.length === 0) continue;
    const manager = person.managerId === null ? undefined : p.people.get(person.managerId);
    if (!manager?.active) {
      p.skip(person, "no_manager", due.map((d) => d.assignment.courseTitle).join(", "));
      continue;
    }
    byManager.set(manager.id, [...(byManager.get(manager.id) ?? []), ...due]);
  }
  for (const [managerId, due] of byManager) {
    const manager = p.people.get(managerId)!;
    if (p.busy.has(`${managerId} team`)) {
      p.skip(manager, "daily_cap", "escalation waits");
      continue;
    }
    const lines = due.map((d) => teamLine(d.assignment, p.day)).sort(byDue);
    p.messages.push({
      recipientId: managerId,
      to: manager.email,
      name: manager.name,
      channel: "team",
      kind: "escalation",
      person: null,
      people: unique(due.map((d) => d.assignment.email)),
      courses: unique(lines.map((l) => l.courseSlug)),
      reason: [...groupBy(lines, (l) => l.personName)]
        .map(([name, own]) => `${name}: ${dueSummary(own)}`)
        .join("; "),
      items: due.map(itemOf),
      letter: escalationLetter(p.ctx, manager, lines, p.schedule.escalateAfterDays),
      unsubscribeList: null,
    });
  }
  return new Set(byManager.keys());
}

/**
 * Digests: to every manager, about their whole team, from the digest weekday of each period (or
 * the first day after it with something to say and no escalation to them).
 */
async function planDigests(p: Planning, escalated: Set<number>) {
  const teamOf = subtrees(p.roster);
  const managers = new Set(p.roster.flatMap((r) => (r.active && r.managerId ? [r.managerId] : [])));
  for (const manager of p.roster) {
    if (!manager.active || !managers.has(manager.id)) continue;
    const frequency = effectiveChoices(p.schedule, p.choices.get(manager.id)).digest;
    const step = digestStep(
      p.day,
      frequency === "off" ? "weekly" : frequency,
      p.schedule.digestWeekday,
    );
    const item = {
      personId: manager.id,
      assignmentId: null,
      kind: "digest" as const,
      step: step ?? "",
    };
    if (!step || p.covered.has(itemKey(item))) continue;
    if (frequency === "off") {
      p.skip(manager, "digest_off");
      continue;
    }
    const team = teamOf(manager.id).filter((id) => p.people.get(id)?.active);
    const open = team.flatMap((id) => (p.assignments.get(id) ?? []).filter(isOpen));
    const overdue = open
      .filter((a) => a.state !== "stale" && a.dueOn < p.day)
      .map((a) => teamLine(a, p.day))
      .sort(byDue);
    const notStarted = open
      .filter((a) => a.state === "not_started" && a.dueOn >= p.day)
      .map((a) => teamLine(a, p.day))
      .sort(byDue);
    if (overdue.length + notStarted.length === 0) {
      p.skip(manager, "nothing_to_say");
      continue;
    }
    if (escalated.has(manager.id) || p.busy.has(`${manager.id} team`)) {
      p.skip(manager, "digest_waits");
      continue;
    }
    const lines = [...overdue, ...notStarted];
    p.messages.push({
      recipientId: manager.id,
      to: manager.email,
      name: manager.name,
      channel: "team",
      kind: "digest",
      person: null,
      people: unique(lines.map((l) => p.people.get(l.personId)!.email)),
      courses: unique(lines.map((l) => l.courseSlug)),
      reason: `${frequency === "weekly" ? "Weekly" : "Fortnightly"} digest: ${overdue.length} overdue, ${notStarted.length} not started, team of ${team.length}`,
      items: [item],
      letter: digestLetter(
        p.ctx,
        manager,
        { people: team.length, overdue, notStarted },
        frequency,
        await unsubscribeUrl(manager.id, "digest"),
      ),
      unsubscribeList: "digest",
    });
  }
}

/** The monthly summary to leaders: the same figures as the Reports page. */
async function planLeaderSummaries(p: Planning) {
  const step = leaderSummaryStep(p.day, p.schedule.leaderSummaryDay);
  if (!step) return;
  const itemFor = (id: number) => ({
    personId: id,
    assignmentId: null,
    kind: "leader_summary" as const,
    step,
  });
  const leaders = p.roster.filter(
    (r) => r.active && r.isLeader && !p.covered.has(itemKey(itemFor(r.id))),
  );
  if (leaders.length === 0) return;
  const summary = summarise(await statusCounts(nowIso()));
  const month = p.day.slice(0, 7);
  for (const leader of leaders) {
    if (!effectiveChoices(p.schedule, p.choices.get(leader.id)).leaderSummary) {
      p.skip(leader, "summary_off");
      continue;
    }
    if (p.busy.has(`${leader.id} organisation`)) continue;
    p.messages.push({
      recipientId: leader.id,
      to: leader.email,
      name: leader.name,
      channel: "organisation",
      kind: "leader_summary",
      person: null,
      people: [],
      courses: [],
      reason: `Monthly summary for ${monthWords(month)}`,
      items: [itemFor(leader.id)],
      letter: leaderSummaryLetter(
        p.ctx,
        leader,
        summary,
        month,
        await unsubscribeUrl(leader.id, "leader_summary"),
      ),
      unsubscribeList: "leader_summary",
    });
  }
}

/** What today's run would send, and who gets nothing and why. Reads only. */
export async function planReminders(): Promise<ReminderPlan> {
  const day = today();
  const schedule = await getSchedule();
  const [assignments, roster, todays, choices] = await Promise.all([
    currentAssignments(),
    rosterLines(),
    messagesOn(day),
    mailChoices(),
  ]);
  const periodSteps = [
    digestStep(day, "weekly", schedule.digestWeekday),
    digestStep(day, "fortnightly", schedule.digestWeekday),
    leaderSummaryStep(day, schedule.leaderSummaryDay),
  ];
  const notMailed: NotMailed[] = [];
  const p: Planning = {
    day,
    schedule,
    ctx: { orgName: schedule.orgName, origin: publicOrigin() },
    roster,
    people: new Map(roster.map((r) => [r.id, r])),
    assignments: groupBy(assignments, (a) => a.userId),
    choices,
    covered: await coveredItems(periodSteps.filter((s) => s !== null)),
    busy: new Set(todays.map((m) => `${m.recipientId} ${m.channel}`)),
    messages: [],
    skip: (person, category, detail = "") =>
      notMailed.push({ name: person.name, email: person.email, category, detail }),
  };
  planLearners(p);
  const escalated = planEscalations(p);
  await planDigests(p, escalated);
  await planLeaderSummaries(p);
  return { day, messages: p.messages, notMailed };
}

// ---------------------------------------------------------------------------------------------
// Claiming and sending

/** Longer than the SMTP timeouts (40 s at most): a live sender never loses its lease. */
const LEASE_MS = 10 * 60 * 1000;
/** Minutes before each retry; after the last, the message is given up and shown to admins. */
const RETRY_AFTER_MINUTES = [5, 30, 120, 480];

const leaseEnd = (at: string) => new Date(Date.parse(at) + LEASE_MS).toISOString();

/** Another process covered some of these steps first: the whole claim is rolled back. */
class ClaimTaken extends Error {}

/**
 * Records the message and the steps it covers, in one write transaction, after checking again
 * that the recipient is active, each course still open and each escalation still the
 * recipient's to hear. Returns the message id, or null when it is not (or no longer) ours to send.
 */
async function claim(
  message: PlannedMessage,
  day: Day,
  nudge?: { actor: Viewer; subjectId: number },
): Promise<number | null> {
  try {
    return await writeTransaction(async () => {
      if (!(await isActive(message.recipientId))) return null;
      const ids = message.items.flatMap((i) => (i.assignmentId === null ? [] : [i.assignmentId]));
      const open = await stillOpen(ids);
      const unchanged = message.items.every(
        (i) =>
          i.assignmentId === null ||
          (open.has(i.assignmentId) &&
            (i.kind !== "escalation" ||
              open.get(i.assignmentId)!.managerId === message.recipientId)),
      );
      // Changed since it was planned: the next run plans it afresh.
      if (!unchanged) return null;
      const at = nowIso();
      const values: NewMessage = {
        recipientId: message.recipientId,
        channel: message.channel,
        day,
        kind: message.kind,
        nudgedBy: message.nudgedBy ?? null,
        subject: message.letter.subject,
        letter: JSON.stringify(message.letter),
        unsubscribeList: message.unsubscribeList,
      };
      const id = await insertMessage(values, at, leaseEnd(at));
      if (id === null) return null;
      if ((await insertItems(id, message.items, at)) < message.items.length) throw new ClaimTaken();
      if (nudge) {
        await appendAudit(actorOf(nudge.actor), [
          { action: "reminder.nudged", subjectId: nudge.subjectId, subject: message.to },
        ]);
      }
      return id;
    });
  } catch (error) {
    if (error instanceof ClaimTaken) return null;
    throw error;
  }
}

export type Outcome = "sent" | "outbox" | "retrying" | "failed";

/** Sends a claimed message (outside any transaction) and records what happened. */
async function deliver(id: number): Promise<Outcome> {
  const message = (await getMessage(id))!;
  const schedule = await getSchedule();
  const { text, html } = render(JSON.parse(message.letter) as Letter);
  try {
    const via = await deliverMail({
      to: message.recipient,
      subject: message.subject,
      text,
      html,
      fromName: schedule.orgName === "Staffroom" ? "Staffroom" : `${schedule.orgName} (Staffroom)`,
      messageId: `<reminder-${id}@${mailDomain()}>`,
      unsubscribeUrl: message.unsubscribe_list
        ? await unsubscribeUrl(message.recipient_id, message.unsubscribe_list)
        : undefined,
    });
    await markSent(id, via, nowIso());
    return via === "smtp" ? "sent" : "outbox";
  } catch (error) {
    const wait = RETRY_AFTER_MINUTES[message.attempts - 1];
    const next =
      wait === undefined ? null : new Date(now().getTime() + wait * 60_000).toISOString();
    await markAttemptFailed(id, (error as Error).message || String(error), next);
    return next ? "retrying" : "failed";
  }
}

/** Sends every message whose retry time has come, or whose sender died holding it. */
export async function retryDueReminders(): Promise<number> {
  let retried = 0;
  for (;;) {
    const at = nowIso();
    const id = await leaseNextDue(at, leaseEnd(at));
    if (id === undefined) return retried;
    await deliver(id);
    retried++;
  }
}

export interface RunReport extends ReminderPlan {
  /** What this process claimed and sent, with the outcome (empty on a dry run). */
  sent: (PlannedMessage & { outcome: Outcome })[];
  retried: number;
}

/** Today's run: plan, then claim and send each message (or, dry, only plan). */
export async function runReminders({ dryRun }: { dryRun: boolean }): Promise<RunReport> {
  const plan = await planReminders();
  if (dryRun) return { ...plan, sent: [], retried: 0 };
  const sent = [];
  for (const message of plan.messages) {
    const id = await claim(message, plan.day);
    if (id !== null) sent.push({ ...message, outcome: await deliver(id) });
  }
  return { ...plan, sent, retried: await retryDueReminders() };
}

const DAILY_RUN = "reminders-daily";

/**
 * The periodic job: retries first, then — from the configured local hour, once a day across
 * every process — the day's run.
 */
export async function runScheduledReminders(): Promise<void> {
  await retryDueReminders();
  const schedule = await getSchedule();
  if (!schedule.automatic || hourOf() < schedule.hour) return;
  if (!(await claimPeriod(DAILY_RUN, startOfDay(today())))) return;
  await runReminders({ dryRun: false });
}

// ---------------------------------------------------------------------------------------------
// Nudges: a manager or leader reminds someone now

export type NudgeResult =
  | { status: "sent"; name: string; outcome: Outcome }
  | { status: "already_today"; name: string }
  | { status: "nothing_to_do"; name: string };

/**
 * Reminds one person of everything they have not finished. `team`: the viewer's reports only
 * (anyone else, or nobody, is the same 403); `organisation`: leaders and admins, anyone active.
 * At most one message about their own training a day, scheduled ones included.
 */
export async function nudge(
  viewer: Viewer,
  personId: number,
  scope: "team" | "organisation",
): Promise<NudgeResult> {
  if (scope === "team" && !(await reportIds(viewer.id)).includes(personId)) {
    throw notAllowed("That person is not in your team.");
  }
  if (scope === "organisation" && !viewer.isLeader && !viewer.isAdmin) {
    throw notAllowed("Only leaders can remind anyone in the organisation.");
  }
  const person = await getRosterPerson(personId);
  if (!person || person.status !== "active") throw notFound("No such person.");
  const { name, email } = person;
  const day = today();
  const open = (await currentAssignments([personId])).filter(isOpen);
  if (open.length === 0) return { status: "nothing_to_do", name };

  const schedule = await getSchedule();
  const covered = await coveredItems([], [personId]);
  const lines = open.map((a) => courseLine(a, day)).sort(byDue);
  // The steps reached today count as reminded: the day's run will not repeat them.
  const items = open.flatMap((a) => {
    const step = learnerStep(schedule, daysBetween(day, a.dueOn), a.state === "stale");
    if (!step) return [];
    const item = { personId, assignmentId: a.assignmentId, kind: step.kind, step: step.step };
    return covered.has(itemKey(item)) ? [] : [item];
  });
  const ctx = { orgName: schedule.orgName, origin: publicOrigin() };
  const message: PlannedMessage = {
    recipientId: personId,
    to: email,
    name,
    channel: "learner",
    kind: "nudge",
    person: email,
    people: [email],
    courses: lines.map((l) => l.courseSlug),
    reason: `${viewer.name} sent a reminder`,
    items,
    letter: learnerLetter(ctx, { name }, "nudge", lines, viewer.name),
    unsubscribeList: null,
    nudgedBy: viewer.id,
  };
  const id = await claim(message, day, { actor: viewer, subjectId: personId });
  if (id === null) return { status: "already_today", name };
  return { status: "sent", name, outcome: await deliver(id) };
}

/** Reminds everyone in the viewer's team who has an overdue course (each at most once today). */
export async function nudgeOverdueTeam(viewer: Viewer) {
  const team = await reportIds(viewer.id);
  const day = today();
  const overdue = unique(
    (await currentAssignments(team))
      .filter((a) => a.active && isOpen(a) && a.state !== "stale" && daysBetween(day, a.dueOn) < 0)
      .map((a) => a.userId),
  );
  const results = [];
  for (const personId of overdue) results.push(await nudge(viewer, personId, "team"));
  return {
    sent: results.filter((r) => r.status === "sent").length,
    alreadyToday: results.filter((r) => r.status === "already_today").length,
  };
}

/** "Reminded today", "Reminded yesterday", "Reminded 3 days ago", by person. */
export async function remindedLabels(userIds: number[]) {
  const last = await lastLearnerMessages(userIds);
  const day = today();
  const labels: Record<number, { label: string; today: boolean }> = {};
  for (const [userId, on] of last) {
    const ago = daysBetween(on, day);
    labels[userId] = {
      label:
        ago === 0
          ? "Reminded today"
          : ago === 1
            ? "Reminded yesterday"
            : `Reminded ${ago} days ago`,
      today: ago === 0,
    };
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// The admin page

const UNDELIVERED_SHOWN = 50;

/** The dry run of today, who is left out and why, and what could not be delivered. */
export async function reminderOverview() {
  const [plan, schedule, undelivered, lastDaily] = await Promise.all([
    planReminders(),
    getSchedule(),
    undeliveredMessages(UNDELIVERED_SHOWN),
    lastJobStart(DAILY_RUN),
  ]);
  const notMailed = Object.entries(NOT_MAILED)
    .map(([category, label]) => ({
      category: category as NotMailedCategory,
      label,
      people: plan.notMailed.filter((n) => n.category === category),
    }))
    .filter((g) => g.people.length > 0);
  return {
    day: plan.day,
    schedule,
    ranToday: lastDaily !== undefined && lastDaily >= startOfDay(plan.day),
    messages: plan.messages.map((m) => ({
      to: m.to,
      name: m.name,
      kind: m.kind,
      person: m.person,
      courses: m.courses,
      subject: m.letter.subject,
      reason: m.reason,
    })),
    notMailed,
    undelivered: undelivered.map((m) => ({
      id: m.id,
      to: m.recipient,
      kind: m.kind,
      subject: m.subject,
      status: m.status,
      attempts: m.attempts,
      error: m.last_error,
      nextAttemptAt: m.next_attempt_at,
      day: m.day,
    })),
  };
}

/** A nudge's result as the page says it. */
export function nudgeNotice(result: NudgeResult): string {
  if (result.status === "nothing_to_do") return `${result.name} has nothing left to finish.`;
  if (result.status === "already_today") {
    return `${result.name} has already had a reminder today; people get at most one a day.`;
  }
  return result.outcome === "retrying" || result.outcome === "failed"
    ? `The mail server refused the reminder to ${result.name}; Staffroom will try again.`
    : `${result.name} was reminded.`;
}

/** The team-wide nudge's result as the page says it. */
export function teamNudgeNotice(result: { sent: number; alreadyToday: number }): string {
  if (result.sent + result.alreadyToday === 0) return "Nobody in your team is overdue.";
  const already =
    result.alreadyToday > 0
      ? ` ${plural(result.alreadyToday, "person")} already had one today.`
      : "";
  return `Reminded ${plural(result.sent, "person", "people")}.${already}`;
}

/** A nudge form: one person. */
export const PersonNudgeForm = z.object({
  intent: z.literal("remind"),
  personId: z.coerce.number().int().positive(),
});

/** The team page's nudge forms: one person, or everyone overdue. */
export const NudgeForm = z.discriminatedUnion("intent", [
  PersonNudgeForm,
  z.object({ intent: z.literal("remind-overdue") }),
]);
