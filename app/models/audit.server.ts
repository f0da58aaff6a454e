import type { Kysely, Transaction } from "kysely";
import type { Database } from "#db/schema";
import { chunks } from "~/utils/chunks";
import { db } from "~/utils/db.server";
import { nowIso } from "~/utils/clock.server";
import { containsText } from "./text-match.server";

const nextUtcDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + 24 * 60 * 60 * 1000).toISOString();

type Executor = Kysely<Database> | Transaction<Database>;

/** Who did it: a signed-in admin, or the command line (id null). */
export interface Actor {
  id: number | null;
  label: string;
}

export const actorOf = (viewer: { id: number; email: string }): Actor & { id: number } => ({
  id: viewer.id,
  label: viewer.email,
});

/** Staffroom itself: a server start, a scheduled job. */
export const SYSTEM_ACTOR: Actor = { id: null, label: "Staffroom (automatic)" };

export const commandLineActor = (user: string): Actor => ({
  id: null,
  label: `command line (${user})`,
});

export interface AuditEntry {
  action: string;
  subjectId?: number | null;
  subject?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

const json = (value: Record<string, unknown> | null | undefined) =>
  value ? JSON.stringify(value) : null;

/** Appends entries (the table refuses updates and deletes). Pass the transaction of the change. */
export async function appendAudit(actor: Actor, entries: AuditEntry[], executor: Executor = db) {
  const stamp = nowIso();
  for (const batch of chunks(entries)) {
    await executor
      .insertInto("audit_log")
      .values(
        batch.map((e) => ({
          created_at: stamp,
          actor_id: actor.id,
          actor: actor.label,
          action: e.action,
          subject_id: e.subjectId ?? null,
          subject: e.subject ?? null,
          before: json(e.before),
          after: json(e.after),
        })),
      )
      .execute();
  }
}

export interface AuditFilter {
  action?: string;
  /** Matches the actor's or the subject's email, in part. */
  who?: string;
  subjectId?: number;
  /** Inclusive ISO dates (YYYY-MM-DD). */
  from?: string;
  to?: string;
}

export const AUDIT_PAGE_SIZE = 100;

export async function listAudit(filter: AuditFilter, page = 1) {
  let query = db.selectFrom("audit_log");
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.subjectId !== undefined) query = query.where("subject_id", "=", filter.subjectId);
  if (filter.who) {
    const who = filter.who;
    query = query.where((eb) => eb.or([containsText("actor", who), containsText("subject", who)]));
  }
  // Days in UTC, as the log shows its instants.
  if (filter.from) query = query.where("created_at", ">=", `${filter.from}T00:00:00.000Z`);
  if (filter.to) query = query.where("created_at", "<", nextUtcDay(filter.to));
  const [rows, total] = await Promise.all([
    query
      .selectAll()
      .orderBy("id", "desc")
      .limit(AUDIT_PAGE_SIZE)
      .offset((page - 1) * AUDIT_PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(total.n),
    entries: rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      actor: r.actor,
      action: r.action,
      subjectId: r.subject_id,
      subject: r.subject,
      before: r.before ? (JSON.parse(r.before) as Record<string, unknown>) : null,
      after: r.after ? (JSON.parse(r.after) as Record<string, unknown>) : null,
    })),
  };
}

export async function listAuditActions(): Promise<string[]> {
  const rows = await db
    .selectFrom("audit_log")
    .select("action")
    .distinct()
    .orderBy("action")
    .execute();
  return rows.map((r) => r.action);
}
