import { sql, type Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
// Reminders and escalation (issue 13): every message, what it covered, and people's mail choices.
// Exactly once is held here: a message per recipient, channel and day, and an item per person,
// assignment, kind and step, each under a uniqueness constraint (README, "Design decisions").
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("reminder_messages")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("recipient_id", "integer", (c) => c.notNull().references("users.id"))
    // learner: about their own training · team: about their reports · organisation: leaders.
    .addColumn("channel", "text", (c) => c.notNull())
    // The organisation's day the message is for: at most one per recipient, channel and day.
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    // The manager or leader who sent a nudge; null for scheduled messages.
    .addColumn("nudged_by", "integer", (c) => c.references("users.id"))
    .addColumn("subject", "text", (c) => c.notNull())
    // The letter as JSON (services/reminder-mail): text and HTML are rendered from it when sent,
    // so erasing a name from it erases it from both.
    .addColumn("letter", "text", (c) => c.notNull())
    // The list a one-click unsubscribe link leaves (digest, leader_summary); null: mandatory.
    .addColumn("unsubscribe_list", "text")
    // sending → sent; sending → retrying → sending …; after the last attempt, failed.
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("delivered_via", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    // While sending: after this instant another process may take the message over (a crash).
    .addColumn("lease_until", "text")
    .addColumn("next_attempt_at", "text")
    .addColumn("last_error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .addUniqueConstraint("reminder_messages_once_a_day", ["recipient_id", "channel", "day"])
    .addCheckConstraint(
      "reminder_messages_channel",
      sql`channel in ('learner', 'team', 'organisation')`,
    )
    .addCheckConstraint(
      "reminder_messages_kind",
      sql`kind in ('before_due', 'due_today', 'overdue', 'nudge', 'escalation', 'digest', 'leader_summary')`,
    )
    .addCheckConstraint(
      "reminder_messages_status",
      sql`status in ('sending', 'sent', 'retrying', 'failed')`,
    )
    .addCheckConstraint(
      "reminder_messages_delivery",
      sql`(status = 'sent') = (delivered_via is not null)
        and (delivered_via is null or delivered_via in ('smtp', 'outbox'))`,
    )
    .execute();
  await db.schema
    .createIndex("reminder_messages_pending")
    .on("reminder_messages")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("reminder_messages_recipient")
    .on("reminder_messages")
    .columns(["recipient_id", "channel", "created_at"])
    .execute();

  await db.schema
    .createTable("reminder_items")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // Null once the message is erased with its recipient: the step stays covered.
    .addColumn("message_id", "integer", (c) =>
      c.references("reminder_messages.id").onDelete("set null"),
    )
    // Whose training the item is about (the manager or leader for a digest or summary).
    .addColumn("person_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("assignment_id", "integer", (c) => c.references("assignments.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    // The step it is for: before:7, due, overdue:2, escalation:0, week:2026-W10, month:2026-03.
    .addColumn("step", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  // Expression index: digests and summaries have no assignment, and NULLs are never equal.
  await sql`CREATE UNIQUE INDEX reminder_items_once ON reminder_items
    (person_id, coalesce(assignment_id, 0), kind, step)`.execute(db);
  await db.schema
    .createIndex("reminder_items_assignment")
    .on("reminder_items")
    .columns(["assignment_id", "kind"])
    .execute();
  await db.schema
    .createIndex("reminder_items_message")
    .on("reminder_items")
    .column("message_id")
    .execute();

  // A row only once a person has chosen; without one the organisation's defaults apply.
  await db.schema
    .createTable("mail_preferences")
    .addColumn("user_id", "integer", (c) => c.primaryKey().references("users.id"))
    .addColumn("digest", "text", (c) => c.notNull())
    .addColumn("leader_summary", "integer", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("mail_preferences_digest", sql`digest in ('weekly', 'fortnightly', 'off')`)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
