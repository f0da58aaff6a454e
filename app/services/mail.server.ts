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

/**
 * Sends through SMTP_URL when it is set. Without it, or when the server refuses the message, the
 * message goes to the outbox that admins read at /admin/outbox, so nothing is lost silently.
 */
export async function sendMail(mail: OutgoingMail): Promise<Delivery> {
  const url = env().SMTP_URL;
  if (!url) {
    await addToOutbox(mail, null);
    return "outbox";
  }
  try {
    await smtp(url).sendMail({
      from: `Staffroom <staffroom@${new URL(publicOrigin()).hostname}>`,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    });
    return "sent";
  } catch (error) {
    await addToOutbox(mail, `SMTP refused it: ${(error as Error).message}`);
    return "failed";
  }
}
