/**
 * Reminder reads and writes (migration 0009). The policy — who gets what, when — is in
 * services/reminders.server.ts; this file only knows the tables.
 */
import type { Selectable } from "kysely";
import type {
  AssignmentsTable,
  DigestFrequency,
  ReminderChannel,
  ReminderKind,
  ReminderMessagesTable,
} from "#db/schema";
import { db } from "~/utils/db.server";

/** A current assignment with what reminders need of its person and course. */
export interface CurrentAssignment {
  assignmentId: number;
  userId: number;
  email: string;
  name: string;
  active: boolean;
  managerId: number | null;
  courseSlug: string;
  courseTitle: string;
  courseOrder: number;
  dueOn: string;
  state: Selectable<AssignmentsTable>["state"];
}

/**
 * Every current cycle of a published course (of these people), deactivated people's included
 * (to say why they get nothing).
 */
export async function currentAssignments(userIds?: number[]): Promise<CurrentAssignment[]> {
  if (userIds?.length === 0) return [];
  let query = db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .innerJoin("courses as c", "c.id", "a.course_id")
    .select([
      "a.id as assignmentId",
      "a.user_id as userId",
      "u.email",
      "u.name",
      "u.status",
      "u.manager_id as managerId",
      "c.slug as courseSlug",
      "c.title as courseTitle",
      "c.sort_order as courseOrder",
      "a.due_on as dueOn",
      "a.state",
    ])
    .where("a.is_current", "=", 1)
    .where("a.removed_at", "is", null)
    .where("c.status", "=", "published")
    .orderBy("a.user_id")
    .orderBy("c.sort_order");
  if (userIds) query = query.where("a.user_id", "in", userIds);
  const rows = await query.execute();
  return rows.map(({ status, ...r }) => ({ ...r, active: status === "active" }));
}

export interface RosterLine {
  id: number;
  email: string;
  name: string;
  managerId: number | null;
  active: boolean;
  isLeader: boolean;
}

/** Everyone's reporting line and standing, read when a run is planned. */
export async function rosterLines(): Promise<RosterLine[]> {
  const rows = await db
    .selectFrom("users")
    .select(["id", "email", "name", "manager_id", "status", "is_leader"])
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    managerId: r.manager_id,
    active: r.status === "active",
    isLeader: r.is_leader === 1,
  }));
}

/** A step one message covered. `assignmentId` null: a digest or summary (person is the reader). */
export interface ReminderItem {
  personId: number;
  assignmentId: number | null;
  kind: ReminderKind;
  step: string;
}

export const itemKey = (i: ReminderItem) =>
  `${i.personId} ${i.assignmentId ?? 0} ${i.kind} ${i.step}`;

/**
 * The steps already covered for open current assignments (of these people), and for these periods
 * of digests and summaries: item key → when it was recorded.
 */
export async function coveredItems(
  periodSteps: string[],
  userIds?: number[],
): Promise<Map<string, string>> {
  let query = db
    .selectFrom("reminder_items as i")
    .innerJoin("assignments as a", "a.id", "i.assignment_id")
    .select(["i.person_id", "i.assignment_id", "i.kind", "i.step", "i.created_at"])
    .where("a.is_current", "=", 1)
    .where("a.open", "=", 1)
    .where("a.removed_at", "is", null);
  if (userIds) query = query.where("a.user_id", "in", userIds);
  const forAssignments = await query.execute();
  const forPeriods =
    periodSteps.length === 0
      ? []
      : await db
          .selectFrom("reminder_items as i")
          .select(["i.person_id", "i.assignment_id", "i.kind", "i.step", "i.created_at"])
          .where("i.assignment_id", "is", null)
          .where("i.step", "in", periodSteps)
          .execute();
  return new Map(
    [...forAssignments, ...forPeriods].map((r) => [
      itemKey({
        personId: r.person_id,
        assignmentId: r.assignment_id,
        kind: r.kind,
        step: r.step,
      }),
      r.created_at,
    ]),
  );
}

/** Who already has a message on `day`, on which channel. */
export async function messagesOn(day: string) {
  return db
    .selectFrom("reminder_messages")
    .select(["recipient_id as recipientId", "channel", "kind"])
    .where("day", "=", day)
    .execute();
}

/** When each of these people was last sent a message about their own training. */
export async function lastLearnerMessages(userIds: number[]): Promise<Map<number, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("reminder_messages")
    .select((eb) => ["recipient_id", eb.fn.max("day").as("day")])
    .where("channel", "=", "learner")
    .where("recipient_id", "in", [...new Set(userIds)])
    .groupBy("recipient_id")
    .execute();
  return new Map(rows.map((r) => [r.recipient_id, String(r.day)]));
}

/** Of these assignments: the ones still open and current, of an active person, and their manager now. */
export async function stillOpen(assignmentIds: number[]) {
  if (assignmentIds.length === 0) return new Map<number, { managerId: number | null }>();
  const rows = await db
    .selectFrom("assignments as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.id", "u.manager_id"])
    .where("a.id", "in", assignmentIds)
    .where("a.is_current", "=", 1)
    .where("a.open", "=", 1)
    .where("a.removed_at", "is", null)
    .where("u.status", "=", "active")
    .execute();
  return new Map(rows.map((r) => [r.id, { managerId: r.manager_id }]));
}

export async function isActive(userId: number): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
  return row !== undefined;
}

export interface NewMessage {
  recipientId: number;
  channel: ReminderChannel;
  day: string;
  kind: ReminderKind;
  nudgedBy: number | null;
  subject: string;
  /** JSON of the letter. */
  letter: string;
  unsubscribeList: "digest" | "leader_summary" | null;
}

/**
 * Records a message as being sent (first attempt, leased until `leaseUntil`); null when the
 * recipient already has one on this channel and day. Call inside a write transaction.
 */
export async function insertMessage(
  message: NewMessage,
  at: string,
  leaseUntil: string,
): Promise<number | null> {
  const row = await db
    .insertInto("reminder_messages")
    .values({
      recipient_id: message.recipientId,
      channel: message.channel,
      day: message.day,
      kind: message.kind,
      nudged_by: message.nudgedBy,
      subject: message.subject,
      letter: message.letter,
      unsubscribe_list: message.unsubscribeList,
      status: "sending",
      attempts: 1,
      lease_until: leaseUntil,
      created_at: at,
    })
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Records the steps a message covers; returns how many were new (the rest were taken). */
export async function insertItems(
  messageId: number,
  items: ReminderItem[],
  at: string,
): Promise<number> {
  if (items.length === 0) return 0;
  const result = await db
    .insertInto("reminder_items")
    .values(
      items.map((i) => ({
        message_id: messageId,
        person_id: i.personId,
        assignment_id: i.assignmentId,
        kind: i.kind,
        step: i.step,
        created_at: at,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export type StoredMessage = Selectable<ReminderMessagesTable> & { recipient: string };

const withRecipient = () =>
  db
    .selectFrom("reminder_messages as m")
    .innerJoin("users as u", "u.id", "m.recipient_id")
    .selectAll("m")
    .select("u.email as recipient");

export async function getMessage(id: number): Promise<StoredMessage | undefined> {
  return withRecipient().where("m.id", "=", id).executeTakeFirst();
}

export async function markSent(id: number, via: "smtp" | "outbox", at: string) {
  await db
    .updateTable("reminder_messages")
    .set({
      status: "sent",
      delivered_via: via,
      sent_at: at,
      lease_until: null,
      next_attempt_at: null,
    })
    .where("id", "=", id)
    .where("status", "=", "sending")
    .execute();
}

/** A refused attempt: tried again at `nextAttemptAt`, or (null) given up and left for admins. */
export async function markAttemptFailed(id: number, error: string, nextAttemptAt: string | null) {
  await db
    .updateTable("reminder_messages")
    .set({
      status: nextAttemptAt ? "retrying" : "failed",
      next_attempt_at: nextAttemptAt,
      lease_until: null,
      last_error: error,
    })
    .where("id", "=", id)
    .where("status", "=", "sending")
    .execute();
}

/**
 * Takes over one message that is due another attempt: a refused one whose time has come, or one
 * whose sender's lease ran out (it crashed between claiming and recording the result). One
 * statement whose condition is checked again on the row, so two processes never take the same.
 */
export async function leaseNextDue(now: string, leaseUntil: string): Promise<number | undefined> {
  const row = await db
    .updateTable("reminder_messages")
    .set((eb) => ({
      status: "sending",
      lease_until: leaseUntil,
      attempts: eb("attempts", "+", 1),
    }))
    .where((eb) =>
      eb.or([
        eb.and([eb("status", "=", "retrying"), eb("next_attempt_at", "<=", now)]),
        eb.and([eb("status", "=", "sending"), eb("lease_until", "<=", now)]),
      ]),
    )
    .where("id", "=", (eb) =>
      eb
        .selectFrom("reminder_messages")
        .select("id")
        .where((w) =>
          w.or([
            w.and([w("status", "=", "retrying"), w("next_attempt_at", "<=", now)]),
            w.and([w("status", "=", "sending"), w("lease_until", "<=", now)]),
          ]),
        )
        .orderBy("id")
        .limit(1),
    )
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

/** Messages not (yet) delivered: being retried or given up on; newest first. */
export async function undeliveredMessages(limit: number) {
  return withRecipient()
    .where("m.status", "in", ["retrying", "failed"])
    .orderBy("m.id", "desc")
    .limit(limit)
    .execute();
}

/** The newest messages to one person (their account page). */
export async function messagesTo(userId: number, limit: number) {
  return db
    .selectFrom("reminder_messages")
    .select(["id", "day", "kind", "subject", "status"])
    .where("recipient_id", "=", userId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export interface MailChoices {
  digest: DigestFrequency;
  leaderSummary: boolean;
}

/** People's own choices, by user id (people who never chose are absent). */
export async function mailChoices(userIds?: number[]): Promise<Map<number, MailChoices>> {
  if (userIds?.length === 0) return new Map();
  let query = db.selectFrom("mail_preferences").selectAll();
  if (userIds) query = query.where("user_id", "in", userIds);
  const rows = await query.execute();
  return new Map(
    rows.map((r) => [r.user_id, { digest: r.digest, leaderSummary: r.leader_summary === 1 }]),
  );
}

export async function putMailChoices(userId: number, choices: MailChoices, at: string) {
  const values = {
    digest: choices.digest,
    leader_summary: choices.leaderSummary ? 1 : 0,
    updated_at: at,
  };
  await db
    .insertInto("mail_preferences")
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column("user_id").doUpdateSet(values))
    .execute();
}
