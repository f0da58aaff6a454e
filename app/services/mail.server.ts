import nodemailer from "nodemailer";
import { addToOutbox, type OutgoingMail } from "~/models/outbox.server";
import { env, publicOrigin } from "~/utils/env.server";

export type Delivery = "sent" | "outbox" | "failed";

let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
function smtp(url: string) {
  // Short timeouts: mail is sent while an admin waits for the page.
  transport ??= nodemailer.createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return transport;
}

/** A message with an HTML alternative and the headers reminders need. */
export interface RichMail extends OutgoingMail {
  html?: string;
  /** The sender's display name (the organisation's, for reminders). */
  fromName?: string;
  /** Stable across retries, so that a message sent twice after a crash shows once. */
  messageId?: string;
  /** A `List-Unsubscribe` header: only on mail a person may stop (digests, summaries). */
  unsubscribeUrl?: string;
}

const senderAddress = () => `staffroom@${new URL(publicOrigin()).hostname}`;

/**
 * Hands the message to SMTP_URL's server, throwing when it refuses it or cannot be reached; without
 * SMTP_URL the message goes to the admins' outbox. The caller decides what a refusal means.
 */
export async function deliverMail(mail: RichMail): Promise<"smtp" | "outbox"> {
  const url = env().SMTP_URL;
  if (!url) {
    await addToOutbox(mail, null);
    return "outbox";
  }
  await smtp(url).sendMail({
    from: { name: mail.fromName ?? "Staffroom", address: senderAddress() },
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    list: mail.unsubscribeUrl ? { unsubscribe: mail.unsubscribeUrl } : undefined,
  });
  return "smtp";
}

/**
 * Sends through SMTP_URL when it is set. Without it, or when the server refuses the message, the
 * message goes to the outbox that admins read at /admin/outbox, so nothing is lost silently.
 */
export async function sendMail(mail: OutgoingMail): Promise<Delivery> {
  try {
    return (await deliverMail(mail)) === "smtp" ? "sent" : "outbox";
  } catch (error) {
    await addToOutbox(mail, `SMTP refused it: ${(error as Error).message}`);
    return "failed";
  }
}

/** The host part of message ids: the public origin's. */
export const mailDomain = () => new URL(publicOrigin()).hostname;
