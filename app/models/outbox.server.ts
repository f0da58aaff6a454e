import { db } from "~/utils/db.server";
import { nowIso } from "~/utils/clock.server";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export async function addToOutbox(mail: OutgoingMail, deliveryError: string | null) {
  await db
    .insertInto("outbox")
    .values({
      created_at: nowIso(),
      recipient: mail.to,
      subject: mail.subject,
      body: mail.text,
      delivery_error: deliveryError,
    })
    .execute();
}

export const OUTBOX_PAGE_SIZE = 50;

/** Newest first; `recipient` narrows to one address. */
export async function listOutbox(recipient?: string) {
  let query = db.selectFrom("outbox").selectAll();
  if (recipient) query = query.where("recipient", "=", recipient.trim().toLowerCase());
  const rows = await query.orderBy("id", "desc").limit(OUTBOX_PAGE_SIZE).execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    deliveryError: r.delivery_error,
  }));
}
